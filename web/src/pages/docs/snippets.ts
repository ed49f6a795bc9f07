/** The API documentation's samples, as merchants paste them (JavaScript and Python). */
export interface Sample {
  js: string;
  py: string;
}

export const AUTH: Sample = {
  js: `const API_USERNAME = 'your_api_username';
const API_PASSWORD = 'your_api_password';
const BASE_URL = 'https://YOUR_DOMAIN/api';

// Build the Basic Auth header once, reuse for every request
const AUTH_HEADER = 'Basic ' + btoa(API_USERNAME + ':' + API_PASSWORD);
const headers = {
  'Content-Type': 'application/json',
  'Authorization': AUTH_HEADER,
};`,
  py: `import requests
import base64

API_USERNAME = "your_api_username"
API_PASSWORD = "your_api_password"
BASE_URL = "https://YOUR_DOMAIN/api"

credentials = base64.b64encode(f"{API_USERNAME}:{API_PASSWORD}".encode()).decode()
AUTH_HEADER = f"Basic {credentials}"
HEADERS = {
    "Content-Type": "application/json",
    "Authorization": AUTH_HEADER,
}`,
};

export const STK_PUSH: Sample = {
  js: `async function stkPush({ accountId, phone, amount, reference, description }) {
  const res = await fetch(\`\${BASE_URL}/stk-push\`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      account_id: accountId,
      phone_number: phone,
      amount: amount,
      external_reference: reference,
      description: description,
    }),
  });
  if (!res.ok) {
    const err = await res.json();
    throw new Error(err.error || 'STK push failed');
  }
  return res.json();
  // { success: true, transaction_id: 42, checkout_request_id: "ws_CO_...", fee_to_be_charged: 6 }
}

// Example usage
const result = await stkPush({
  accountId: 1,
  phone: '0712345678',
  amount: 500,
  reference: 'INV-001',
  description: 'Order #1001',
});
console.log('Checkout ID:', result.checkout_request_id);`,
  py: `def stk_push(account_id, phone, amount, reference=None, description="Payment"):
    payload = {
        "account_id": account_id,
        "phone_number": phone,
        "amount": amount,
        "external_reference": reference,
        "description": description,
    }
    response = requests.post(f"{BASE_URL}/stk-push", json=payload, headers=HEADERS)
    response.raise_for_status()
    return response.json()
    # { "success": True, "transaction_id": 42,
    #   "checkout_request_id": "ws_CO_...", "fee_to_be_charged": 6 }

# Example usage
result = stk_push(
    account_id=1,
    phone="0712345678",
    amount=500,
    reference="INV-001",
    description="Order #1001",
)
print("Checkout ID:", result["checkout_request_id"])`,
};

export const STATUS: Sample = {
  js: `async function pollTransactionStatus(checkoutRequestId, timeoutMs = 90000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(
      \`\${BASE_URL}/transaction/status/\${checkoutRequestId}\`,
      { headers }
    );
    const data = await res.json();
    if (data.status === 'completed') {
      console.log('Payment successful! Receipt:', data.mpesa_receipt);
      return data;
    }
    if (data.status === 'failed') {
      throw new Error(data.result_desc || 'Payment failed');
    }
    // Still pending — wait 3 seconds and try again
    await new Promise(r => setTimeout(r, 3000));
  }
  throw new Error('Payment timed out — please ask the customer to check M-Pesa');
}`,
  py: `import time

def poll_transaction_status(checkout_request_id, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        response = requests.get(
            f"{BASE_URL}/transaction/status/{checkout_request_id}",
            headers=HEADERS,
        )
        data = response.json()
        if data["status"] == "completed":
            print("Payment successful! Receipt:", data["mpesa_receipt"])
            return data
        if data["status"] == "failed":
            raise Exception(data.get("result_desc", "Payment failed"))
        time.sleep(3)  # wait 3 seconds before polling again
    raise Exception("Payment timed out")`,
};

export const CALLBACK: Sample = {
  js: `app.post('/payment/callback', express.json(), (req, res) => {
  // Always respond 200 immediately so M-Pesa doesn't retry
  res.json({ ResultCode: 0, ResultDesc: 'Accept' });

  const cb = req.body?.Body?.stkCallback;
  if (!cb) return;

  const { CheckoutRequestID, ResultCode, ResultDesc, CallbackMetadata } = cb;
  if (ResultCode === 0) {
    const items = CallbackMetadata?.Item || [];
    const get = name => items.find(i => i.Name === name)?.Value;
    const receipt = get('MpesaReceiptNumber');
    const amount = get('Amount');
    // TODO: update your DB using CheckoutRequestID
    console.log(\`Payment confirmed: \${receipt} — KES \${amount}\`);
  } else {
    console.log(\`Payment failed: \${ResultDesc}\`);
  }
});`,
  py: `from flask import Flask, request, jsonify

app = Flask(__name__)

@app.route('/payment/callback', methods=['POST'])
def payment_callback():
    # Always respond 200 immediately so M-Pesa doesn't retry
    data = request.get_json(force=True)
    cb = (data or {}).get('Body', {}).get('stkCallback', {})
    checkout_id = cb.get('CheckoutRequestID')
    result_code = cb.get('ResultCode')
    result_desc = cb.get('ResultDesc', '')
    if result_code == 0:
        items = cb.get('CallbackMetadata', {}).get('Item', [])
        get_val = lambda name: next((i['Value'] for i in items if i['Name'] == name), None)
        receipt = get_val('MpesaReceiptNumber')
        amount = get_val('Amount')
        # TODO: update your DB using checkout_id
        print(f"Payment confirmed: {receipt} — KES {amount}")
    else:
        print(f"Payment failed: {result_desc}")
    return jsonify(ResultCode=0, ResultDesc="Accept")`,
};

export const CHANNELS: Sample = {
  js: `const res = await fetch(\`\${BASE_URL}/accounts\`, { headers });
const channels = await res.json();

// Find your active till channel
const till = channels.find(c => c.account_type === 'till' && c.is_active);
console.log('Till channel ID:', till?.id);`,
  py: `response = requests.get(f"{BASE_URL}/accounts", headers=HEADERS)
channels = response.json()

# Find your active paybill channel
paybill = next((c for c in channels if c["account_type"] == "paybill" and c["is_active"]), None)
print("Paybill channel ID:", paybill["id"] if paybill else "None")`,
};

export const TRANSACTIONS: Sample = {
  js: `// Get last 50 completed transactions
const res = await fetch(\`\${BASE_URL}/transactions?status=completed&limit=50\`, { headers });
const txs = await res.json();
txs.forEach(tx => {
  console.log(\`\${tx.mpesa_receipt} | KES \${tx.amount} | \${tx.phone_number} | \${tx.external_reference}\`);
});`,
  py: `params = {"status": "completed", "limit": 50}
response = requests.get(f"{BASE_URL}/transactions", headers=HEADERS, params=params)
txs = response.json()
for tx in txs:
    print(f"{tx['mpesa_receipt']} | KES {tx['amount']} | {tx['phone_number']}")`,
};

export const ERRORS: Sample = {
  js: `try {
  const result = await stkPush({ accountId: 1, phone: '0712345678', amount: 500 });
  const status = await pollTransactionStatus(result.checkout_request_id);
  console.log('Done:', status.mpesa_receipt);
} catch (err) {
  if (err.message.includes('Insufficient service balance')) {
    // Redirect merchant to top up their ImaraPay wallet
    console.error('Top up your service wallet first');
  } else {
    // Show the M-Pesa error to the customer
    console.error('Payment error:', err.message);
  }
}`,
  py: `import requests

try:
    result = stk_push(account_id=1, phone="0712345678", amount=500)
    status = poll_transaction_status(result["checkout_request_id"])
    print("Done:", status["mpesa_receipt"])
except requests.HTTPError as e:
    body = e.response.json()
    if e.response.status_code == 402:
        print("Top up your service wallet first")
    else:
        print("API error:", body.get("error"))
except Exception as e:
    print("Payment error:", str(e))`,
};

export const PRICING: Sample = {
  js: `// Public endpoint — no auth required
const res = await fetch(\`\${BASE_URL}/pricing\`);
const tiers = await res.json();

// Find the fee for a given amount
function getFee(amount) {
  const tier = tiers.find(t => amount >= t.min && amount <= t.max);
  return tier ? tier.fee : 0;
}
console.log(getFee(500));   // 6
console.log(getFee(1000));  // 15
console.log(getFee(10000)); // 50`,
  py: `# Public endpoint — no auth required
response = requests.get(f"{BASE_URL}/pricing")
tiers = response.json()

def get_fee(amount):
    tier = next((t for t in tiers if t["min"] <= amount <= t["max"]), None)
    return tier["fee"] if tier else 0

print(get_fee(500))    # 6
print(get_fee(1000))   # 15
print(get_fee(10000))  # 50`,
};
