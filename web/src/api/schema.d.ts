// Generated from the API's OpenAPI document by `npm run web:api-types`. Do not edit.
export interface paths {
    "/api/stk-push": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Initiate an STK Push
         * @description Sends an M-Pesa payment prompt to the customer's phone; the money goes to the payment channel `account_id`. The fee is reserved from your service wallet now and refunded if the payment fails.
         *
         *     Answers once M-Pesa has accepted the push. Poll GET /api/transaction/status/{checkout_request_id} or wait for your webhook.
         */
        post: operations["postApiStkPush"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/transaction/status/{reference}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Check a transaction's status
         * @description Poll every 3–5 seconds until `status` is completed or failed. `balance` is your service wallet.
         */
        get: operations["getApiTransactionStatusReference"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pricing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The fee schedule
         * @description Each tier charges a flat fee for amounts from `min` to `max` KES inclusive.
         */
        get: operations["getApiPricing"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pricing/fee": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The fee of an amount
         * @description The fee an STK push of `amount` KES is charged now, by the same rule the push itself is priced with (the tier that holds the amount).
         */
        get: operations["getApiPricingFee"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List payments, newest first */
        get: operations["getApiV1Payments"];
        put?: never;
        /**
         * Create a payment (customer and payment in one flat body)
         * @description Same payment core as POST /api/stk-push. An existing customerId makes the customer fields ignored; otherwise the customer is found by phone number or created. Metadata: keys ≤ 40 characters; values strings ≤ 500 characters, integers, floats or booleans; at most 50 pairs.
         */
        post: operations["postApiV1Payments"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/payments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrieve a payment */
        get: operations["getApiV1PaymentsId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List customers, newest first */
        get: operations["getApiV1Customers"];
        put?: never;
        /** Create a customer */
        post: operations["postApiV1Customers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrieve a customer */
        get: operations["getApiV1CustomersId"];
        put?: never;
        /** Update a customer (POST, for Stripe-style clients) */
        post: operations["postApiV1CustomersId"];
        delete?: never;
        options?: never;
        head?: never;
        /** Update a customer (only the fields given change) */
        patch: operations["patchApiV1CustomersId"];
        trace?: never;
    };
    "/api/auth/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a merchant account
         * @description Creates your business (KYC status unverified, an empty service wallet) and its first dashboard user, and signs you in. Send the token as `Authorization: Bearer <token>` on dashboard endpoints. It expires after SESSION_TTL_HOURS (12 h by default).
         */
        post: operations["postApiAuthSignup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in to the dashboard
         * @description For merchants and ImaraPay admins alike (admins have `merchant: null`). Send the token as `Authorization: Bearer <token>` on dashboard endpoints. It expires after SESSION_TTL_HOURS (12 h by default). An account with two-step sign-in also needs `code`: the 6-digit code of its authenticator app, or one of its recovery codes (without it the answer is 401 `second_factor_required`). Limits: attempts per address, per account and address, and failed attempts per account (RATE_LIMIT_LOGIN_PER_ACCOUNT); past the per-account one the password alone is refused (429) but the password with a valid code still signs in.
         */
        post: operations["postApiAuthLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign out
         * @description Ends this session at once: the token is refused from the next request on.
         */
        post: operations["postApiAuthLogout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who is signed in
         * @description The session’s user and merchant (null for admins). Admins also get `temporal_ui.workflows_url`, where the Temporal Web UI shows each payment’s workflow (`<workflows_url>/payment-<transaction id>`), from the TEMPORAL_UI_URL setting.
         */
        get: operations["getApiMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/kyc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your KYC status
         * @description kyc_status is unverified, pending, verified or rejected; submission is your latest one (document metadata, not the files).
         */
        get: operations["getApiKyc"];
        put?: never;
        /**
         * Submit identity verification (KYC)
         * @description A multipart/form-data form (what a browser sends for a FormData): your details as text fields, and 1–3 documents as file parts named by their kind (id_front, id_back, business_certificate, kra_pin_certificate), each a JPEG, PNG or PDF of at most 2 MB sent with its Content-Type. The front of your ID (id_front) is required. A text field may be at most 1 kB; a file that is too large, of another type, or whose content is not of its type is refused as soon as it is seen.
         *
         *     Your KYC status becomes pending until an ImaraPay admin reviews it. You can submit again only after a rejection.
         */
        post: operations["postApiKyc"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List your API keys
         * @description Newest first, revoked keys included. Passwords are never shown again.
         */
        get: operations["getApiApiKeys"];
        put?: never;
        /**
         * Create an API key
         * @description Needs a verified merchant (KYC). The password and the ready Authorization header are shown in this answer only: store them now.
         */
        post: operations["postApiApiKeys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API key
         * @description The key stops working at once (401 from the next request on). Revoking a revoked key changes nothing.
         */
        delete: operations["deleteApiApiKeysId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * All users
         * @description Every dashboard user in id order, with its role and its merchant’s KYC status (null merchant for admins). Search with ?q= (case-insensitive, in the user’s email, the business name and email, and the names on its KYC submissions); filter with ?kyc_status= or ?role=. When more rows exist the `X-Next-Cursor` response header holds the `cursor` of the next page (?after_id=<last id> still works).
         */
        get: operations["getApiAdminUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/kyc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * KYC review queue
         * @description Submissions oldest first, each with its merchant. Filter with ?status=pending; page with ?limit= and ?after_id=<last id>.
         */
        get: operations["getApiAdminKyc"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/kyc/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A KYC submission */
        get: operations["getApiAdminKycId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/kyc/{id}/documents/{documentId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a KYC document
         * @description The file itself, with its content type (image/jpeg, image/png or application/pdf), as an attachment.
         */
        get: operations["getApiAdminKycIdDocumentsDocumentId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/kyc/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Approve a KYC submission
         * @description The merchant becomes verified (payment channels, STK pushes and API keys unlock). Only a pending submission can be approved.
         */
        post: operations["postApiAdminKycIdApprove"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/kyc/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reject a KYC submission
         * @description The merchant sees the reason and may submit again. Only a pending submission can be rejected.
         */
        post: operations["postApiAdminKycIdReject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your webhook settings
         * @description The callback URL payment results are POSTed to, and how those deliveries are signed.
         */
        get: operations["getApiSettings"];
        /**
         * Set or clear your callback URL
         * @description In production the URL must be HTTPS and must not point at a private, loopback, link-local or otherwise non-public address, whether written as an IP or reached through a hostname. Outside production http is allowed; private and loopback addresses only when the deployment sets WEBHOOK_ALLOW_PRIVATE_TARGETS.
         */
        put: operations["putApiSettings"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/webhook-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Reveal your webhook signing secret
         * @description Creates the secret if you have none yet. Keep it on your server only: it proves that a webhook comes from ImaraPay.
         */
        get: operations["getApiSettingsWebhookSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/webhook-secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate your webhook signing secret
         * @description Replaces the secret at once: every delivery from now on (retries of older ones too) is signed with the new one. The old one stops being used immediately.
         */
        post: operations["postApiSettingsWebhookSecretRotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List your webhook deliveries
         * @description One delivery per payment result (payment.completed or payment.failed), newest first, in the environment you are acting in. `status`: pending (being delivered or retried), delivered, failed (retries given up after 72 hours), superseded (a failure not sent because the payment completed since).
         */
        get: operations["getApiWebhooksDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/deliveries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One delivery, with its payload and every attempt
         * @description Each attempt records when it started, the HTTP status your endpoint answered (null when it could not be reached), how long it took, the error, and an excerpt of your answer (at most 200 printable characters; only its first 64 KiB are read).
         */
        get: operations["getApiWebhooksDeliveriesId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/deliveries/{id}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a delivery again
         * @description POSTs the same payload again, freshly signed, to your current callback URL (not necessarily the one it first went to), retried like any webhook for up to 72 hours. Its attempts are added to the same delivery, numbered on from the earlier ones. A delivery has at most one redelivery under way: asking again while it runs returns the same `workflow_id` and sends nothing extra. At most 30 requests per merchant every 10 minutes (429 `rate_limited` beyond).
         */
        post: operations["postApiWebhooksDeliveriesIdRedeliver"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Today at a glance
         * @description Payments started today (Nairobi time) by status, the KES volume and fees of those completed, the success rate (completed / (completed + failed); null when none has ended), merchants waiting for KYC review, and webhook deliveries still pending. Customer payments only: wallet top-ups are not counted.
         */
        get: operations["getApiAdminOverview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List your payment channels
         * @description Every channel of your account, active and deactivated, oldest first. Pass a channel's `id` as `account_id` to POST /api/stk-push.
         */
        get: operations["getApiAccounts"];
        put?: never;
        /**
         * Add a payment channel
         * @description A till or paybill (5 to 7 digits), or a bank account (6 to 20 letters and digits) at one of the banks of GET /api/banks: a bank channel pushes to the bank's paybill with your account number as the account reference.
         *
         *     `account_reference` (at most 12 characters: letters, digits, spaces and . , _ # / -) defaults to the account number; a bank account number longer than 12 characters needs one. Requires identity verification (KYC).
         */
        post: operations["postApiAccounts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/{id}/deactivate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Deactivate a payment channel
         * @description STK pushes to a deactivated channel are refused with 400; its past payments stay listed. Deactivating twice is harmless.
         */
        post: operations["postApiAccountsIdDeactivate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/accounts/{id}/initiator": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Show whether a channel has its M-Pesa initiator
         * @description The initiator (an API operator of the channel's shortcode) lets ImaraPay ask M-Pesa's own record of a payment (Transaction Status) and, later, reverse one. Its password is never shown.
         */
        get: operations["getApiAccountsIdInitiator"];
        /**
         * Set a channel's M-Pesa initiator
         * @description The initiator name and password of an API operator of this till or paybill, created on the M-Pesa organisation portal (business administrator → Operators → API user). Give it the Transaction Status query role (and "Org Reversals Initiator" for reversals). ImaraPay encrypts the password at rest, never shows or logs it, and builds the SecurityCredential from it with M-Pesa's certificate for each request. Replacing it is recorded in the audit log.
         */
        put: operations["putApiAccountsIdInitiator"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/banks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the banks for bank channels
         * @description Use a `name` as `bank_name` when adding a bank channel. Payments to a bank channel are STK pushes to the bank's M-Pesa `paybill`.
         */
        get: operations["getApiBanks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wallet": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your service wallet balance
         * @description Fees are reserved from this wallet when a push is sent and refunded when the payment fails. It always equals the sum of its ledger.
         */
        get: operations["getApiWallet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wallet/ledger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your wallet's movements
         * @description Newest first. Kinds: top_up, adjustment, fee_reserve (−fee), fee_capture (0: the reserved fee is earned), fee_release (+fee), late_fee_capture (−fee).
         *
         *     When more entries exist, the `X-Next-Cursor` response header holds the `cursor` of the next page.
         */
        get: operations["getApiWalletLedger"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wallet/top-ups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Top up your service wallet by M-Pesa
         * @description Sends an STK push for `amount` to `phone_number` (your own phone), paying ImaraPay's paybill with account reference TOPUP<your merchant id>. No fee. When the payment completes the wallet is credited once; a failed or cancelled top-up credits nothing. Poll GET /api/transaction/status/{checkout_request_id} like any payment.
         *
         *     Identity verification is not needed. On a production deployment top-ups must be made in production (live key, or the dashboard in production mode).
         */
        post: operations["postApiWalletTopUps"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/transactions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List transactions
         * @description Your transactions in the environment of your key, as a plain array. Filters: `status`, `account_id`, `type` (payment or wallet_top_up), `customer_id` (cus_…), `link_id` (plink_…: one payment link’s payments), `q` (an M-Pesa receipt, a phone number in any accepted format, an external reference or a CheckoutRequestID: exact match), `from` and `to` (a date such as 2024-06-15, a whole day in East Africa Time, or an ISO timestamp with a time zone). Newest first; when more rows exist the `X-Next-Cursor` response header holds the `cursor` of the next page. `limit` is 100 by default, at most 1,000.
         */
        get: operations["getApiTransactions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/transactions.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export transactions as CSV
         * @description The same selection as GET /api/transactions, as a CSV file with a header row (columns named like the JSON fields), streamed as it is read. Filters: `status`, `account_id`, `type` (payment or wallet_top_up), `customer_id` (cus_…), `link_id` (plink_…: one payment link’s payments), `q` (an M-Pesa receipt, a phone number in any accepted format, an external reference or a CheckoutRequestID: exact match), `from` and `to` (a date such as 2024-06-15, a whole day in East Africa Time, or an ISO timestamp with a time zone). Newest first; when more rows exist the `X-Next-Cursor` response header holds the `cursor` of the next page. `limit` is 10,000 by default and at most. Exports are rate-limited per merchant (20 per 10 minutes by default).
         */
        get: operations["getApiTransactionsCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/transactions/{id}/reversal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A payment's reversal and its evidence
         * @description The reversal with every body M-Pesa posted about it (its result, queue timeouts, Transaction Status answers), raw. `status` is `requested`, `reversed`, `failed` or `in_doubt` (no result and no record within the window: check the M-Pesa portal; a late result still settles it).
         */
        get: operations["getApiTransactionsIdReversal"];
        put?: never;
        /**
         * Reverse a completed payment
         * @description Returns the payment's full amount to the customer through M-Pesa's Reversal API, once. The payment must be completed, have its M-Pesa receipt, and its channel must have initiator credentials with the "Org Reversals Initiator" role (PUT /api/accounts/{id}/initiator). A payment has at most one reversal: asking again, with the same Idempotency-Key or another, answers that same reversal (200, `created: false`). The reversal is asynchronous: poll GET /api/transactions/{id}/reversal or wait for the `reversal.succeeded` / `reversal.failed` webhook. ImaraPay's fee for the payment is kept: a reversal returns the customer's money, not the fee, and costs no new fee.
         */
        post: operations["postApiTransactionsIdReversal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/reversals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every merchant's reversals
         * @description The latest 200 reversals of every merchant, newest first, each with its merchant and every body M-Pesa posted about it. `status` (`requested`, `reversed`, `failed` or `in_doubt`) filters.
         */
        get: operations["getApiAdminReversals"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/hooks/daraja-reversals/{token}/{reversalId}/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Daraja reversal results (for Safaricom, not for merchants)
         * @description The ResultURL and QueueTimeOutURL ImaraPay gives each reversal, and the ResultURL of Transaction Status questions about it. The URL carries a secret per-reversal token (shown here as {token}; never published) and the reversal's id; `kind` is `result`, `timeout`, `status` or `status_timeout`. Every body is stored raw; a readable result decides the reversal through its workflow, anything else is kept and decides nothing. A wrong token answers 404 and is not stored.
         */
        post: operations["postHooksDarajaReversalsTokenReversalIdKind"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List your customers
         * @description Everyone an STK push was sent to, one customer per phone number (0712…, +254712… and 254712… are one customer), newest first, with how many payments they were sent and the KES they paid in completed ones. `phone_number` finds one customer. When more exist, the `X-Next-Cursor` response header holds the `cursor` of the next page.
         */
        get: operations["getApiCustomers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/customers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A customer and their payments
         * @description The customer and their 100 most recent payments; GET /api/transactions?customer_id= pages through all of them.
         */
        get: operations["getApiCustomersId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/pricing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The fee schedule */
        get: operations["getApiAdminPricing"];
        /**
         * Replace the fee schedule
         * @description Replaces every tier at once. Tiers go lowest first, the first starts at 1, each starts the shilling after the previous one ends (no gap, no overlap), and the last reaches 250,000. Pushes priced from now on use the new schedule; pushes already sent keep their fee.
         */
        put: operations["putApiAdminPricing"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/merchants/{id}/wallet": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A merchant's wallet balance */
        get: operations["getApiAdminMerchantsIdWallet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/merchants/{id}/wallet/ledger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A merchant's wallet movements
         * @description Like GET /api/wallet/ledger, for any merchant.
         */
        get: operations["getApiAdminMerchantsIdWalletLedger"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/merchants/{id}/wallet/adjustments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Credit or debit a merchant's wallet
         * @description A positive `amount` credits, a negative one debits; `reason` is required and kept in the ledger entry's reference with the admin's id. One adjustment moves at most WALLET_ADJUSTMENT_LIMIT_KES (KES 100,000 by default) either way. A debit the balance cannot cover changes nothing. Each adjustment is recorded in the audit log (`wallet.adjusted`).
         */
        post: operations["postApiAdminMerchantsIdWalletAdjustments"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/transactions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every merchant's transactions
         * @description The filters of GET /api/transactions (except customer_id), plus `merchant_id` and `environment` (both environments when absent). Each row adds merchant_id, merchant_name and environment. When more rows exist the `X-Next-Cursor` response header holds the `cursor` of the next page.
         */
        get: operations["getApiAdminTransactions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/payments/review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Payments whose M-Pesa evidence is in doubt
         * @description Payments in `needs_review` (the review rule found M-Pesa's evidence in doubt: an Amount other than the push, two receipts, items that break Daraja's rules, or M-Pesa's record disagreeing; the fee is held and the merchant was sent `payment.review_started`) and payments with recorded disagreements (`evidence_conflicts`), newest first, at most 100, each with all its evidence side by side (the push, every stored raw callback and what ImaraPay read from it, STK query answers, M-Pesa's own record, conflicts) and its resolution proposals.
         */
        get: operations["getApiAdminPaymentsReview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/payments/review/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One payment's evidence, proposals and timeline
         * @description The same view as the queue, for one payment whatever its status now, with its timeline.
         */
        get: operations["getApiAdminPaymentsReviewId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/payments/{id}/review/proposals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Propose how a review ends
         * @description `complete` with the M-Pesa receipt that proves the payment (the fee is captured), or `fail` (the fee is released), with a reason. Nothing moves until a second admin approves it. One proposal waits at a time per payment. Audited as `review.proposed`.
         */
        post: operations["postApiAdminPaymentsIdReviewProposals"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/review-proposals/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Approve a proposal (a second admin)
         * @description The verdict goes through the payment’s workflow, which settles it once: the fee captured or released, and the merchant’s `payment.completed` or `payment.failed` webhook. The admin who proposed it cannot approve it (only a development deployment allows it). Approving an approved proposal again answers it as it stands; nothing settles twice. Audited as `review.approved`.
         */
        post: operations["postApiAdminReviewProposalsIdApprove"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/review-proposals/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reject a proposal
         * @description Nothing moves; the payment stays in review and a new proposal may be made. The proposer may reject (withdraw) their own. Audited as `review.rejected`.
         */
        post: operations["postApiAdminReviewProposalsIdReject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/reconciliation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Reconciliation runs and open findings
         * @description The latest runs of the reconciliation schedule (newest first), each with its findings: callbacks handed over again, payments without a workflow started or ended, overdue payments, webhooks given up and wallets whose balance is not the sum of their ledger. `open_findings` are the latest finished run's findings it could not repair: they need an operator.
         */
        get: operations["getApiAdminReconciliation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reconciliation/statements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List your statement reconciliation reports
         * @description Newest first, in the environment you act in, with the number of lines of each class. `superseded` is true when a newer report of the same channel and day replaced it. Pages forward with the `X-Next-Cursor` header (`cursor`).
         */
        get: operations["getApiReconciliationStatements"];
        put?: never;
        /**
         * Upload an M-Pesa statement to reconcile
         * @description The body is the M-Pesa organisation portal's statement export, as is (`Content-Type: text/csv`, UTF-8): rows above its header are skipped; the header names its columns (Receipt No., Completion Time, Initiation Time, Details, Transaction Status, Paid In, Withdrawn, Balance, Balance Confirmed, Reason Type, Other Party Info, Linked Transaction ID, A/C No.; Receipt No., Completion Time, Transaction Status and Paid In are required). Every `Completed` line with Paid In > 0 is a credit; amounts such as `1,250.00` are whole KES (a fraction is refused); times are Nairobi time (`YYYY-MM-DD HH:mm:ss` or `DD-MM-YYYY HH:mm:ss`). At most 5 MB, 50,000 rows and 31 days. One report is stored per Nairobi day from the first credit's to the last's, against the payments of `channel_id` in the environment you act in; a day reconciled again gets a new report that supersedes the old. Each line is `matched` (credited by M-Pesa, reported completed by ImaraPay, same amount), `mpesa_only` (credited by M-Pesa, but ImaraPay reported the payment failed, still has it pending or in review, or never pushed it), `imarapay_only` (reported completed by ImaraPay, never credited that day) or `amount_differs` (the same receipt, different amounts). `matched_by` says how the credit found its payment: `receipt`, or `amount_reference_time` (same amount and account reference, completed within 10 minutes of the push) for payments whose receipt ImaraPay never learnt; `certain` is false when another payment or credit could have been the one. The payer (Other Party Info) is shown but never used to match: M-Pesa masks it. At most 20 uploads per merchant every 10 minutes.
         */
        post: operations["postApiReconciliationStatements"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reconciliation/pulls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reconcile a day against M-Pesa's Pull Transactions
         * @description Asks M-Pesa's own record (Daraja Pull Transactions: the shortcode is registered once, then queried page by page) for every credit to the channel's till or paybill on one Nairobi day, and reconciles them through the same matcher and report as an uploaded statement (`source: pull_transactions`); a day reconciled again gets a new report that supersedes the old. M-Pesa lists only the last 48 hours: today and yesterday can be pulled (today's report covers the credits so far); older days are reconciled from the uploaded statement. The payer (msisdn) is shown but never used to match. Each line is `matched` (credited by M-Pesa, reported completed by ImaraPay, same amount), `mpesa_only` (credited by M-Pesa, but ImaraPay reported the payment failed, still has it pending or in review, or never pushed it), `imarapay_only` (reported completed by ImaraPay, never credited that day) or `amount_differs` (the same receipt, different amounts). `matched_by` says how the credit found its payment: `receipt`, or `amount_reference_time` (same amount and account reference, completed within 10 minutes of the push) for payments whose receipt ImaraPay never learnt; `certain` is false when another payment or credit could have been the one. Against the payments of `channel_id` in the environment you act in. Shares the statement uploads' limit of 20 per merchant every 10 minutes.
         */
        post: operations["postApiReconciliationPulls"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reconciliation/statements/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One statement reconciliation report, with its lines
         * @description Credits in time order, then the payments ImaraPay reported completed that M-Pesa never credited. Each line is `matched` (credited by M-Pesa, reported completed by ImaraPay, same amount), `mpesa_only` (credited by M-Pesa, but ImaraPay reported the payment failed, still has it pending or in review, or never pushed it), `imarapay_only` (reported completed by ImaraPay, never credited that day) or `amount_differs` (the same receipt, different amounts). `matched_by` says how the credit found its payment: `receipt`, or `amount_reference_time` (same amount and account reference, completed within 10 minutes of the push) for payments whose receipt ImaraPay never learnt; `certain` is false when another payment or credit could have been the one.
         */
        get: operations["getApiReconciliationStatementsId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reconciliation/statements/{id}/csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a statement reconciliation report as CSV
         * @description The report's lines, one per row, with the columns class, receipt, completed_at, amount, account_reference, payer, details, transaction_id, payment_amount, payment_status, matched_by, certain (times in UTC, ISO 8601; amounts in whole KES).
         */
        get: operations["getApiReconciliationStatementsIdCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/reconciliation/statements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every merchant's statement reconciliation reports
         * @description Newest first, across merchants and environments (or one merchant, one channel). Pages forward with `X-Next-Cursor`.
         */
        get: operations["getApiAdminReconciliationStatements"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/reconciliation/pulls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reconcile any merchant's channel against M-Pesa's Pull Transactions
         * @description Asks M-Pesa's own record (Daraja Pull Transactions: the shortcode is registered once, then queried page by page) for every credit to the channel's till or paybill on one Nairobi day, and reconciles them through the same matcher and report as an uploaded statement (`source: pull_transactions`); a day reconciled again gets a new report that supersedes the old. M-Pesa lists only the last 48 hours: today and yesterday can be pulled (today's report covers the credits so far); older days are reconciled from the uploaded statement. The payer (msisdn) is shown but never used to match. Each line is `matched` (credited by M-Pesa, reported completed by ImaraPay, same amount), `mpesa_only` (credited by M-Pesa, but ImaraPay reported the payment failed, still has it pending or in review, or never pushed it), `imarapay_only` (reported completed by ImaraPay, never credited that day) or `amount_differs` (the same receipt, different amounts). `matched_by` says how the credit found its payment: `receipt`, or `amount_reference_time` (same amount and account reference, completed within 10 minutes of the push) for payments whose receipt ImaraPay never learnt; `certain` is false when another payment or credit could have been the one. Any merchant's channel, against its payments in `environment`.
         */
        post: operations["postApiAdminReconciliationPulls"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/reconciliation/statements/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A merchant's statement reconciliation report, with its lines
         * @description Each line is `matched` (credited by M-Pesa, reported completed by ImaraPay, same amount), `mpesa_only` (credited by M-Pesa, but ImaraPay reported the payment failed, still has it pending or in review, or never pushed it), `imarapay_only` (reported completed by ImaraPay, never credited that day) or `amount_differs` (the same receipt, different amounts). `matched_by` says how the credit found its payment: `receipt`, or `amount_reference_time` (same amount and account reference, completed within 10 minutes of the push) for payments whose receipt ImaraPay never learnt; `certain` is false when another payment or credit could have been the one.
         */
        get: operations["getApiAdminReconciliationStatementsId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/reconciliation/statements/{id}/csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a merchant's statement reconciliation report as CSV
         * @description The same file a merchant downloads.
         */
        get: operations["getApiAdminReconciliationStatementsIdCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/transactions/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A transaction and its timeline
         * @description The transaction (as in GET /api/transactions, plus its environment, workflow id and what decided it) and, oldest first, what happened to it: the request, the fee reserved, the push accepted or refused, every Daraja callback received (duplicates and late ones too), the settlement, the fee captured or released, and each webhook attempt.
         */
        get: operations["getApiTransactionsIdTimeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/overview/payments-per-minute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Payments per minute by outcome
         * @description Customer payments started in each of the last `minutes` minutes (every minute listed, zeros included), counted by their status now. Wallet top-ups are not counted.
         */
        get: operations["getApiAdminOverviewPaymentsPerMinute"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change your password
         * @description For a signed-in person (dashboard session). The current password is asked again; every other session of yours ends, this one stays.
         */
        post: operations["postApiMePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/two-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your two-step sign-in
         * @description Whether sign-in asks for an authenticator app’s code, since when, and how many recovery codes are unused.
         */
        get: operations["getApiMeTwoFactor"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/two-factor/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start setting up two-step sign-in
         * @description Draws a new secret for an authenticator app (TOTP, RFC 6238: 6 digits every 30 s) and answers it typed, as an `otpauth://` URL and as a QR code to scan. Nothing changes at sign-in until POST /api/me/two-factor/enable confirms it.
         */
        post: operations["postApiMeTwoFactorSetup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/two-factor/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Turn on two-step sign-in
         * @description With the first code the app shows. Answers ten recovery codes, shown this once: each signs in once in place of a code when the phone is lost. From now on sign-in asks for a code, and a code with the password signs in even when the account’s limit of failed sign-ins was reached by someone else.
         */
        post: operations["postApiMeTwoFactorEnable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/two-factor/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Turn off two-step sign-in
         * @description With your password and a current code (or an unused recovery code). Every recovery code stops working.
         */
        post: operations["postApiMeTwoFactorDisable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit log
         * @description Every staff action (pricing, KYC decisions, wallet adjustments) and merchant security action (API keys, callback URL, signing secret, password, sign-ins, two-step sign-in), with who, when, from which address and what changed. Newest first. Filter with ?action= (e.g. `login.failed`), ?actor= (an id, or part of an e-mail or API username), ?from= and ?to= (a bare date is a day in Nairobi, inclusive; or ISO 8601 with an offset). When more rows exist the `X-Next-Cursor` response header holds the `cursor` of the next page. Also ?merchant_id=.
         */
        get: operations["getApiAdminAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your account’s security log
         * @description The audit events of your own account: sign-ins and failed sign-ins, password and two-step sign-in changes, API keys created and revoked, callback URL and signing secret changes, and what ImaraPay staff did to it (KYC decisions, wallet adjustments). Newest first. Filter with ?action= (e.g. `login.failed`), ?actor= (an id, or part of an e-mail or API username), ?from= and ?to= (a bare date is a day in Nairobi, inclusive; or ISO 8601 with an offset). When more rows exist the `X-Next-Cursor` response header holds the `cursor` of the next page.
         */
        get: operations["getApiAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payment-links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List your payment links
         * @description Your links in this environment, newest first (at most 200), with their totals; archived links only with `include_archived=true`.
         */
        get: operations["getApiPaymentLinks"];
        put?: never;
        /**
         * Create a payment link
         * @description A shareable checkout page (`url`) that sends an M-Pesa prompt to whoever opens it and enters their number: an ordinary payment into your channel `account_id` (your oldest active channel when omitted), with the usual fee and webhook (carrying `link_id`).
         *
         *     Send `amount` for a fixed amount, or leave it out to let the customer enter one between `min_amount` and `max_amount`. `description` (M-Pesa TransactionDesc, at most 13 characters) is shown on the page and the prompt. `expires_at` ends the link; `single_use` closes it once paid. Requires identity verification (KYC). Links live in the environment of the key that created them.
         */
        post: operations["postApiPaymentLinks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payment-links/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Show a payment link */
        get: operations["getApiPaymentLinksId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payment-links/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a payment link
         * @description Its page stays up but takes no payment (409 `link_unavailable`, reason `paused`) until resumed. Payments already started carry on. Doing it twice is harmless.
         */
        post: operations["postApiPaymentLinksIdPause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payment-links/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a paused payment link
         * @description The link takes payments again. Doing it twice is harmless.
         */
        post: operations["postApiPaymentLinksIdResume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payment-links/{id}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Archive a payment link
         * @description For good: it takes no payment, cannot be resumed and leaves the list (its payments stay in your transactions). Doing it twice is harmless.
         */
        post: operations["postApiPaymentLinksIdArchive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payment-links/{id}/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A payment link's payments and totals
         * @description The link with its totals and its latest 100 payments, newest first. Each is an ordinary payment: find it in GET /api/transactions too (`link_id`).
         */
        get: operations["getApiPaymentLinksIdPayments"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payment-links/{id}/qr.png": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A payment link's QR code (PNG)
         * @description The link's checkout URL as a QR code (PNG, 512 px; error correction M, 4-module quiet zone) to print or show at the counter. Any phone camera opens the checkout page from it. For a code the M-Pesa app itself scans, see POST /api/payment-links/{id}/mpesa-qr.
         */
        get: operations["getApiPaymentLinksIdQrPng"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payment-links/{id}/qr.svg": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A payment link's QR code (SVG)
         * @description The link's checkout URL as a QR code (SVG, any size; error correction M, 4-module quiet zone) to print or show at the counter. Any phone camera opens the checkout page from it. For a code the M-Pesa app itself scans, see POST /api/payment-links/{id}/mpesa-qr.
         */
        get: operations["getApiPaymentLinksIdQrSvg"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payment-links/{id}/mpesa-qr.png": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A payment link's M-Pesa QR code (Daraja Dynamic QR)
         * @description Safaricom's own Dynamic QR for the link's channel, made by Daraja (`/mpesa/qrcode/v1/generate`): the customer scans it in the M-Pesa or My Safaricom app, which fills in the till (Buy Goods) or paybill (Pay Bill), the link's account reference and the amount. For a link whose customer enters the amount, pass `amount` (within the link's bounds). A payment made by scanning it goes straight to your till or paybill: M-Pesa does not notify ImaraPay, so it is not one of the link's payments. Requires identity verification (KYC).
         */
        get: operations["getApiPaymentLinksIdMpesaQrPng"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pay/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a payment link (checkout page)
         * @description What the link's checkout page shows: the merchant's name, what is paid for, the amount (or the bounds of one the customer enters) and whether the link takes a payment now. No credentials: the token in the URL is the key.
         */
        get: operations["getApiPayToken"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pay/{token}/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pay a payment link (checkout page)
         * @description Sends the M-Pesa prompt to `phone_number` for the link's amount (or, for a link whose customer enters the amount, `amount` within its bounds): an ordinary payment, with the merchant's fee, webhook (carrying `link_id`) and transaction list. Answers once M-Pesa has accepted the push, with `payment_token` to poll GET /api/pay/{token}/payments/{payment_token}.
         *
         *     Limited per link, per client address and per phone number (429 with Retry-After), and refused while the phone has another link prompt open (409 `prompt_open`).
         */
        post: operations["postApiPayTokenPayments"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pay/{token}/payments/{paymentToken}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a checkout payment (checkout page)
         * @description The payment as recorded, read by its own unguessable token: poll every 2–3 seconds until `status` is completed or failed. `next_step` says what the customer should do: wait, done, cancelled (1032), timed_out (1037), insufficient_balance (1), wrong_pin (2001), failed or in_review.
         */
        get: operations["getApiPayTokenPaymentsPaymentToken"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/hooks/daraja/{token}/{transactionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Daraja STK callback (for Safaricom, not for merchants)
         * @description Where M-Pesa posts the result of each STK push. Daraja does not sign callbacks, so the URL carries a secret per-payment token (shown here as {token}; never published). Every body is stored raw and handed to its payment; a wrong token answers 404 and is not stored. When Postgres is down the callback is still handed over (and Accept answered); only when it can be neither stored nor handed over is the answer 503.
         */
        post: operations["postHooksDarajaTokenTransactionId"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/hooks/daraja-results/{token}/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Daraja Transaction Status and Pull results (for Safaricom, not for merchants)
         * @description The ResultURL and QueueTimeOutURL ImaraPay gives Transaction Status, and the CallBackURL of its Pull Transactions registration. The URL carries a secret token (shown here as {token}; never published); `kind` is `status`, `timeout` or `pull`. Every body is stored raw; a readable result for a question ImaraPay asked becomes evidence on its payment, anything else is kept and decides nothing. A wrong token or kind answers 404 and is not stored.
         */
        post: operations["postHooksDarajaResultsTokenKind"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health check */
        get: operations["getApiHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The OpenAPI 3.1 document of this API
         * @description Built from the same registrations as the routes themselves (access rule, request schemas, responses) and the /docs page.
         */
        get: operations["getApiOpenapiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This documentation, as a web page
         * @description A page rendered from the same OpenAPI document as GET /api/openapi.json.
         */
        get: operations["getDocs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness check
         * @description Answers 200 `{ status: "ready" }` when Postgres and Temporal both answer within a short deadline, otherwise 503 `not_ready` with which check fails (`ok` or `failing` each). A shutting-down instance answers 503 at once. For load balancers and orchestrators; liveness is GET /api/health.
         */
        get: operations["getApiReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            /** @description What is wrong, for people */
            error: string;
            /** @description Stable code, for programs (validation_failed, unauthorized, not_found, …) */
            code: string;
            /** @description The request field at fault (validation_failed) */
            field?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    postApiStkPush: {
        parameters: {
            query?: never;
            header?: {
                /** @description Your key for this payment (at most 255 characters): a retry with the same key and body returns the same payment instead of prompting again. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    account_id: number;
                    phone_number: string;
                    amount: number;
                    external_reference?: string | null;
                    description?: string | null;
                };
            };
        };
        responses: {
            /** @description M-Pesa accepted the push; the customer has a prompt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": true,
                     *       "message": "STK push sent successfully",
                     *       "transaction_id": 42,
                     *       "checkout_request_id": "ws_CO_123456789_20240615123456_1_254712345678",
                     *       "fee_to_be_charged": 6
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        success: true;
                        message: string;
                        transaction_id: number;
                        /** @description Daraja's CheckoutRequestID; while M-Pesa has not confirmed the push (202), the transaction id */
                        checkout_request_id: string;
                        /** @description Whole KES */
                        fee_to_be_charged: number;
                    };
                };
            };
            /** @description M-Pesa did not confirm the push in time; the prompt may still reach the phone. Do not push again: poll with transaction_id */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": true,
                     *       "message": "M-Pesa has not confirmed the push yet; …",
                     *       "transaction_id": 43,
                     *       "checkout_request_id": "43",
                     *       "fee_to_be_charged": 6
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        success: true;
                        message: string;
                        transaction_id: number;
                        /** @description Daraja's CheckoutRequestID; while M-Pesa has not confirmed the push (202), the transaction id */
                        checkout_request_id: string;
                        /** @description Whole KES */
                        fee_to_be_charged: number;
                    };
                };
            };
            /** @description amount must be at most KES 250,000 (M-Pesa's per-transaction limit); M-Pesa refused the request: Invalid PhoneNumber */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Insufficient service balance: the fee is KES 6 and your service wallet holds KES 2. Top up your wallet and try again. */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Insufficient service balance: the fee is KES 6 and your service wallet holds KES 2. Top up your wallet and try again.",
                     *       "code": "insufficient_balance",
                     *       "fee": 6,
                     *       "balance": 2,
                     *       "transaction_id": 45
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Identity verification (KYC) is required before you can send STK pushes */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Identity verification (KYC) is required before you can send STK pushes",
                     *       "code": "kyc_required"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment channel 7 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment channel 7 does not exist",
                     *       "code": "not_found",
                     *       "field": "account_id"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This Idempotency-Key was already used with a different request body. Use a new key for a new payment. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This Idempotency-Key was already used with a different request body. Use a new key for a new payment.",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description M-Pesa stayed busy; no prompt was sent. Safe to retry.; ImaraPay could not start the payment (Retry-After says when to retry; use the same Idempotency-Key) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiTransactionStatusReference: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The checkout_request_id (ws_CO_…) from the STK push, or its transaction_id */
                reference: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The payment as it stands */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "completed",
                     *       "amount": 500,
                     *       "mpesa_receipt": "RGH8KXXXX",
                     *       "result_desc": "The service request is processed successfully.",
                     *       "balance": 94,
                     *       "transaction_id": 42,
                     *       "checkout_request_id": "ws_CO_123456789",
                     *       "result_code": "0",
                     *       "reversal_status": null
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                         * @enum {string}
                         */
                        status: "pending" | "completed" | "failed" | "needs_review";
                        /** @description Whole KES */
                        amount: number;
                        mpesa_receipt: string | null;
                        result_desc: string | null;
                        /** @description Your service wallet balance */
                        balance: number;
                        transaction_id: number;
                        checkout_request_id: string | null;
                        result_code: string | null;
                        /** @description The payment's reversal; null when none was asked for */
                        reversal_status: ("requested" | "reversed" | "failed" | "in_doubt") | null;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No transaction found for ws_CO_123 */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "No transaction found for ws_CO_123",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiPricing: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Fee tiers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "min": 1,
                     *         "max": 500,
                     *         "fee": 6
                     *       },
                     *       {
                     *         "min": 501,
                     *         "max": 1000,
                     *         "fee": 15
                     *       }
                     *     ]
                     */
                    "application/json": {
                        /** @description Whole KES */
                        min: number;
                        /** @description Whole KES */
                        max: number;
                        /** @description Whole KES */
                        fee: number;
                    }[];
                };
            };
        };
    };
    getApiPricingFee: {
        parameters: {
            query: {
                /** @description The amount of the payment, whole KES */
                amount: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The fee */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "amount": 500,
                     *       "fee": 6
                     *     }
                     */
                    "application/json": {
                        /** @description Whole KES */
                        amount: number;
                        /** @description Whole KES */
                        fee: number;
                    };
                };
            };
            /** @description amount must be at least KES 1 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "amount must be at least KES 1",
                     *       "code": "validation_failed",
                     *       "field": "amount"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiV1Payments: {
        parameters: {
            query?: {
                limit?: number;
                starting_after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of payments */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "object": "list",
                     *       "data": [
                     *         {
                     *           "id": "trxn_4fZK2nq8WbX1pL0aQ",
                     *           "object": "payment",
                     *           "status": "pending",
                     *           "amount": 1000,
                     *           "fee": 15,
                     *           "netAmount": 985,
                     *           "currency": "KES",
                     *           "phoneNumber": "254712345678",
                     *           "customerId": "cus_GqfKXLmg61LURZhB7",
                     *           "environment": "sandbox",
                     *           "timestamp": "2026-11-22T17:30:00.000Z",
                     *           "message": "STK push sent; waiting for the customer to enter their M-Pesa PIN",
                     *           "description": "Invoice #1234",
                     *           "accountReference": "5123456",
                     *           "checkoutRequestId": "ws_CO_22112026203000123456",
                     *           "mpesaReceipt": null,
                     *           "reversalStatus": null,
                     *           "metadata": {
                     *             "order_id": "ord_123456"
                     *           },
                     *           "linkId": null
                     *         }
                     *       ],
                     *       "has_more": false
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        object: "list";
                        data: {
                            /** @description trxn_… */
                            id: string;
                            /** @constant */
                            object: "payment";
                            /**
                             * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                             * @enum {string}
                             */
                            status: "pending" | "completed" | "failed" | "needs_review";
                            /** @description Whole KES */
                            amount: number;
                            /** @description Whole KES */
                            fee: number;
                            /** @description amount − fee */
                            netAmount: number;
                            /** @constant */
                            currency: "KES";
                            phoneNumber: string;
                            customerId: string | null;
                            /** @enum {string} */
                            environment: "sandbox" | "production";
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            timestamp: string;
                            message: string;
                            description: string;
                            accountReference: string;
                            checkoutRequestId: string | null;
                            mpesaReceipt: string | null;
                            /** @description The payment's reversal; null when none was asked for */
                            reversalStatus: ("requested" | "reversed" | "failed" | "in_doubt") | null;
                            metadata: {
                                [key: string]: string | number | boolean;
                            };
                            /** @description The payment link (`plink_…`) the payment came from; null for every other payment */
                            linkId: string | null;
                        }[];
                        has_more: boolean;
                    };
                };
            };
            /** @description metadata key "order" value must be at most 500 characters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "metadata key \"order\" value must be at most 500 characters",
                     *       "code": "validation_failed"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiV1Payments: {
        parameters: {
            query?: never;
            header?: {
                /** @description Retrying with the same key and body returns the same payment; a different body is 409. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    phoneNumber?: string;
                    amount: number;
                    /** @description M-Pesa's TransactionDesc: 1 to 13 of letters, digits, spaces and . , _ # / -; accented letters are sent without accents (Café → Cafe) and outer spaces are trimmed. */
                    description: string;
                    customerId?: string;
                    name?: string;
                    /** Format: email */
                    email?: string;
                    customerDescription?: string;
                    customerMetadata?: unknown;
                    /** @description M-Pesa's AccountReference: 1 to 12 of letters, digits, spaces and . , _ # / -; accented letters are sent without accents (Café → Cafe) and outer spaces are trimmed. */
                    accountReference?: string;
                    metadata?: unknown;
                    accountId?: number;
                };
            };
        };
        responses: {
            /** @description M-Pesa accepted the push; the customer has a prompt */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "trxn_4fZK2nq8WbX1pL0aQ",
                     *       "object": "payment",
                     *       "status": "pending",
                     *       "amount": 1000,
                     *       "fee": 15,
                     *       "netAmount": 985,
                     *       "currency": "KES",
                     *       "phoneNumber": "254712345678",
                     *       "customerId": "cus_GqfKXLmg61LURZhB7",
                     *       "environment": "sandbox",
                     *       "timestamp": "2026-11-22T17:30:00.000Z",
                     *       "message": "STK push sent; waiting for the customer to enter their M-Pesa PIN",
                     *       "description": "Invoice #1234",
                     *       "accountReference": "5123456",
                     *       "checkoutRequestId": "ws_CO_22112026203000123456",
                     *       "mpesaReceipt": null,
                     *       "reversalStatus": null,
                     *       "metadata": {
                     *         "order_id": "ord_123456"
                     *       },
                     *       "linkId": null
                     *     }
                     */
                    "application/json": {
                        /** @description trxn_… */
                        id: string;
                        /** @constant */
                        object: "payment";
                        /**
                         * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                         * @enum {string}
                         */
                        status: "pending" | "completed" | "failed" | "needs_review";
                        /** @description Whole KES */
                        amount: number;
                        /** @description Whole KES */
                        fee: number;
                        /** @description amount − fee */
                        netAmount: number;
                        /** @constant */
                        currency: "KES";
                        phoneNumber: string;
                        customerId: string | null;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        timestamp: string;
                        message: string;
                        description: string;
                        accountReference: string;
                        checkoutRequestId: string | null;
                        mpesaReceipt: string | null;
                        /** @description The payment's reversal; null when none was asked for */
                        reversalStatus: ("requested" | "reversed" | "failed" | "in_doubt") | null;
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        /** @description The payment link (`plink_…`) the payment came from; null for every other payment */
                        linkId: string | null;
                    };
                };
            };
            /** @description M-Pesa has not confirmed the push yet; do not send it again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "trxn_4fZK2nq8WbX1pL0aQ",
                     *       "object": "payment",
                     *       "status": "pending",
                     *       "amount": 1000,
                     *       "fee": 15,
                     *       "netAmount": 985,
                     *       "currency": "KES",
                     *       "phoneNumber": "254712345678",
                     *       "customerId": "cus_GqfKXLmg61LURZhB7",
                     *       "environment": "sandbox",
                     *       "timestamp": "2026-11-22T17:30:00.000Z",
                     *       "message": "STK push sent; waiting for the customer to enter their M-Pesa PIN",
                     *       "description": "Invoice #1234",
                     *       "accountReference": "5123456",
                     *       "checkoutRequestId": null,
                     *       "mpesaReceipt": null,
                     *       "reversalStatus": null,
                     *       "metadata": {
                     *         "order_id": "ord_123456"
                     *       },
                     *       "linkId": null
                     *     }
                     */
                    "application/json": {
                        /** @description trxn_… */
                        id: string;
                        /** @constant */
                        object: "payment";
                        /**
                         * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                         * @enum {string}
                         */
                        status: "pending" | "completed" | "failed" | "needs_review";
                        /** @description Whole KES */
                        amount: number;
                        /** @description Whole KES */
                        fee: number;
                        /** @description amount − fee */
                        netAmount: number;
                        /** @constant */
                        currency: "KES";
                        phoneNumber: string;
                        customerId: string | null;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        timestamp: string;
                        message: string;
                        description: string;
                        accountReference: string;
                        checkoutRequestId: string | null;
                        mpesaReceipt: string | null;
                        /** @description The payment's reversal; null when none was asked for */
                        reversalStatus: ("requested" | "reversed" | "failed" | "in_doubt") | null;
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        /** @description The payment link (`plink_…`) the payment came from; null for every other payment */
                        linkId: string | null;
                    };
                };
            };
            /** @description metadata key "order" value must be at most 500 characters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "metadata key \"order\" value must be at most 500 characters",
                     *       "code": "validation_failed"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Insufficient service balance: the fee is KES 15 and your service wallet holds KES 3. Top up your wallet and try again. */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Insufficient service balance: the fee is KES 15 and your service wallet holds KES 3. Top up your wallet and try again.",
                     *       "code": "insufficient_balance"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Live (production) payments are not enabled on this ImaraPay deployment; use a sandbox key */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Live (production) payments are not enabled on this ImaraPay deployment; use a sandbox key",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No customer cus_… */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "No customer cus_…",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This Idempotency-Key was already used with a different request body. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This Idempotency-Key was already used with a different request body.",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description ImaraPay could not start the payment (Retry-After says when to retry; use the same Idempotency-Key) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "The payment could not be started just now; nothing was sent to M-Pesa. Retry with the same Idempotency-Key to start this same payment.",
                     *       "code": "temporarily_unavailable",
                     *       "transaction_id": 47,
                     *       "retry_after": 5
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiV1PaymentsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The payment id, trxn_… */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The payment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "trxn_4fZK2nq8WbX1pL0aQ",
                     *       "object": "payment",
                     *       "status": "completed",
                     *       "amount": 1000,
                     *       "fee": 15,
                     *       "netAmount": 985,
                     *       "currency": "KES",
                     *       "phoneNumber": "254712345678",
                     *       "customerId": "cus_GqfKXLmg61LURZhB7",
                     *       "environment": "sandbox",
                     *       "timestamp": "2026-11-22T17:30:00.000Z",
                     *       "message": "STK push sent; waiting for the customer to enter their M-Pesa PIN",
                     *       "description": "Invoice #1234",
                     *       "accountReference": "5123456",
                     *       "checkoutRequestId": "ws_CO_22112026203000123456",
                     *       "mpesaReceipt": "RGH8KXXXX1",
                     *       "reversalStatus": null,
                     *       "metadata": {
                     *         "order_id": "ord_123456"
                     *       },
                     *       "linkId": null
                     *     }
                     */
                    "application/json": {
                        /** @description trxn_… */
                        id: string;
                        /** @constant */
                        object: "payment";
                        /**
                         * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                         * @enum {string}
                         */
                        status: "pending" | "completed" | "failed" | "needs_review";
                        /** @description Whole KES */
                        amount: number;
                        /** @description Whole KES */
                        fee: number;
                        /** @description amount − fee */
                        netAmount: number;
                        /** @constant */
                        currency: "KES";
                        phoneNumber: string;
                        customerId: string | null;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        timestamp: string;
                        message: string;
                        description: string;
                        accountReference: string;
                        checkoutRequestId: string | null;
                        mpesaReceipt: string | null;
                        /** @description The payment's reversal; null when none was asked for */
                        reversalStatus: ("requested" | "reversed" | "failed" | "in_doubt") | null;
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        /** @description The payment link (`plink_…`) the payment came from; null for every other payment */
                        linkId: string | null;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No payment trxn_… */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "No payment trxn_…",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiV1Customers: {
        parameters: {
            query?: {
                limit?: number;
                starting_after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of customers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "object": "list",
                     *       "data": [
                     *         {
                     *           "id": "cus_GqfKXLmg61LURZhB7",
                     *           "object": "customer",
                     *           "phoneNumber": "254712345678",
                     *           "name": "John Doe",
                     *           "email": "johndoe@example.com",
                     *           "description": "VIP Customer",
                     *           "metadata": {
                     *             "tier": "gold"
                     *           },
                     *           "environment": "sandbox",
                     *           "createdAt": "2026-11-22T17:30:00.000Z"
                     *         }
                     *       ],
                     *       "has_more": false
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        object: "list";
                        data: {
                            /** @description cus_… */
                            id: string;
                            /** @constant */
                            object: "customer";
                            phoneNumber: string;
                            name: string | null;
                            email: string | null;
                            description: string | null;
                            metadata: {
                                [key: string]: string | number | boolean;
                            };
                            /** @enum {string} */
                            environment: "sandbox" | "production";
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            createdAt: string;
                        }[];
                        has_more: boolean;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiV1Customers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    phoneNumber: string;
                    name?: string;
                    /** Format: email */
                    email?: string;
                    description?: string;
                    metadata?: unknown;
                };
            };
        };
        responses: {
            /** @description The new customer */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "cus_GqfKXLmg61LURZhB7",
                     *       "object": "customer",
                     *       "phoneNumber": "254712345678",
                     *       "name": "John Doe",
                     *       "email": "johndoe@example.com",
                     *       "description": "VIP Customer",
                     *       "metadata": {
                     *         "tier": "gold"
                     *       },
                     *       "environment": "sandbox",
                     *       "createdAt": "2026-11-22T17:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description cus_… */
                        id: string;
                        /** @constant */
                        object: "customer";
                        phoneNumber: string;
                        name: string | null;
                        email: string | null;
                        description: string | null;
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        createdAt: string;
                    };
                };
            };
            /** @description metadata key "order" value must be at most 500 characters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "metadata key \"order\" value must be at most 500 characters",
                     *       "code": "validation_failed"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A customer with this phone number already exists: cus_… */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "A customer with this phone number already exists: cus_…",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiV1CustomersId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The customer id, cus_… */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The customer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "cus_GqfKXLmg61LURZhB7",
                     *       "object": "customer",
                     *       "phoneNumber": "254712345678",
                     *       "name": "John Doe",
                     *       "email": "johndoe@example.com",
                     *       "description": "VIP Customer",
                     *       "metadata": {
                     *         "tier": "gold"
                     *       },
                     *       "environment": "sandbox",
                     *       "createdAt": "2026-11-22T17:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description cus_… */
                        id: string;
                        /** @constant */
                        object: "customer";
                        phoneNumber: string;
                        name: string | null;
                        email: string | null;
                        description: string | null;
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        createdAt: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No customer trxn_… */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "No customer trxn_…",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiV1CustomersId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The customer id, cus_… */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    phoneNumber?: string;
                    name?: string;
                    /** Format: email */
                    email?: string;
                    description?: string;
                    metadata?: unknown;
                };
            };
        };
        responses: {
            /** @description The updated customer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "cus_GqfKXLmg61LURZhB7",
                     *       "object": "customer",
                     *       "phoneNumber": "254712345678",
                     *       "name": "John Doe",
                     *       "email": "johndoe@example.com",
                     *       "description": "VIP Customer",
                     *       "metadata": {
                     *         "tier": "gold"
                     *       },
                     *       "environment": "sandbox",
                     *       "createdAt": "2026-11-22T17:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description cus_… */
                        id: string;
                        /** @constant */
                        object: "customer";
                        phoneNumber: string;
                        name: string | null;
                        email: string | null;
                        description: string | null;
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        createdAt: string;
                    };
                };
            };
            /** @description metadata key "order" value must be at most 500 characters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "metadata key \"order\" value must be at most 500 characters",
                     *       "code": "validation_failed"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No customer trxn_… */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "No customer trxn_…",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchApiV1CustomersId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The customer id, cus_… */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    phoneNumber?: string;
                    name?: string;
                    /** Format: email */
                    email?: string;
                    description?: string;
                    metadata?: unknown;
                };
            };
        };
        responses: {
            /** @description The updated customer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "cus_GqfKXLmg61LURZhB7",
                     *       "object": "customer",
                     *       "phoneNumber": "254712345678",
                     *       "name": "John Doe",
                     *       "email": "johndoe@example.com",
                     *       "description": "VIP Customer",
                     *       "metadata": {
                     *         "tier": "gold"
                     *       },
                     *       "environment": "sandbox",
                     *       "createdAt": "2026-11-22T17:30:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description cus_… */
                        id: string;
                        /** @constant */
                        object: "customer";
                        phoneNumber: string;
                        name: string | null;
                        email: string | null;
                        description: string | null;
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        createdAt: string;
                    };
                };
            };
            /** @description metadata key "order" value must be at most 500 characters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "metadata key \"order\" value must be at most 500 characters",
                     *       "code": "validation_failed"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No customer trxn_… */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "No customer trxn_…",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAuthSignup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    business_name: string;
                    email: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description Signed up and signed in */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "token": "sess_Q2hhbmdlIG1lIGluIHlvdXIgZGFzaGJvYXJkIGNvZGU",
                     *       "expires_at": "2026-11-23T05:31:48.000Z",
                     *       "user": {
                     *         "id": 7,
                     *         "email": "owner@mamamboga.co.ke",
                     *         "role": "merchant"
                     *       },
                     *       "merchant": {
                     *         "id": 5,
                     *         "name": "Mama Mboga Ltd",
                     *         "kyc_status": "unverified"
                     *       }
                     *     }
                     */
                    "application/json": {
                        token: string;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        expires_at: string;
                        user: {
                            id: number;
                            email: string;
                            /** @enum {string} */
                            role: "merchant" | "admin";
                        };
                        /** @description Null for admins */
                        merchant: {
                            id: number;
                            name: string;
                            /** @enum {string} */
                            kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        } | null;
                    };
                };
            };
            /** @description password must be at least 10 characters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "password must be at least 10 characters",
                     *       "code": "validation_failed",
                     *       "field": "password"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An account with this email already exists: sign in instead */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "An account with this email already exists: sign in instead",
                     *       "code": "conflict",
                     *       "field": "email"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAuthLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    password: string;
                    code?: string;
                };
            };
        };
        responses: {
            /** @description Signed in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "token": "sess_Q2hhbmdlIG1lIGluIHlvdXIgZGFzaGJvYXJkIGNvZGU",
                     *       "expires_at": "2026-11-23T05:31:48.000Z",
                     *       "user": {
                     *         "id": 7,
                     *         "email": "owner@mamamboga.co.ke",
                     *         "role": "merchant"
                     *       },
                     *       "merchant": {
                     *         "id": 5,
                     *         "name": "Mama Mboga Ltd",
                     *         "kyc_status": "unverified"
                     *       }
                     *     }
                     */
                    "application/json": {
                        token: string;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        expires_at: string;
                        user: {
                            id: number;
                            email: string;
                            /** @enum {string} */
                            role: "merchant" | "admin";
                        };
                        /** @description Null for admins */
                        merchant: {
                            id: number;
                            name: string;
                            /** @enum {string} */
                            kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        } | null;
                    };
                };
            };
            /** @description Invalid email or password; Enter the 6-digit code from your authenticator app, or one of your recovery codes */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many failed sign-ins to this account. Retry after 3480 s, or sign in with … */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many failed sign-ins to this account. Retry after 3480 s, or sign in with …",
                     *       "code": "rate_limited",
                     *       "retry_after": 3480
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAuthLogout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Your session has expired or was ended; sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Your session has expired or was ended; sign in again",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session’s user and merchant */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user": {
                     *         "id": 7,
                     *         "email": "owner@mamamboga.co.ke",
                     *         "role": "merchant"
                     *       },
                     *       "merchant": {
                     *         "id": 5,
                     *         "name": "Mama Mboga Ltd",
                     *         "kyc_status": "unverified"
                     *       },
                     *       "expires_at": "2026-11-23T05:31:48.000Z"
                     *     }
                     */
                    "application/json": {
                        user: {
                            id: number;
                            email: string;
                            /** @enum {string} */
                            role: "merchant" | "admin";
                        };
                        /** @description Null for admins */
                        merchant: {
                            id: number;
                            name: string;
                            /** @enum {string} */
                            kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        } | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        expires_at: string;
                        /** @description Admins only: where the Temporal Web UI lists payment workflows (`<workflows_url>/payment-<id>`) */
                        temporal_ui?: {
                            workflows_url: string;
                        };
                    };
                };
            };
            /** @description Your session has expired or was ended; sign in again */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Your session has expired or was ended; sign in again",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiKyc: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your KYC status and latest submission */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "kyc_status": "rejected",
                     *       "submission": {
                     *         "id": 12,
                     *         "status": "rejected",
                     *         "full_name": "Wanjiku Kamau",
                     *         "id_type": "national_id",
                     *         "id_number": "12345678",
                     *         "business_name": "Mama Mboga Ltd",
                     *         "business_registration_number": "PVT-AB1CD2EF",
                     *         "kra_pin": "A012345678Z",
                     *         "phone_number": "254712345678",
                     *         "created_at": "2026-11-22T18:10:00.000Z",
                     *         "reviewed_at": "2026-11-22T19:00:00.000Z",
                     *         "rejection_reason": "The ID photo is blurred",
                     *         "documents": [
                     *           {
                     *             "id": 31,
                     *             "kind": "id_front",
                     *             "content_type": "image/png",
                     *             "size": 48213,
                     *             "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                     *             "created_at": "2026-11-22T18:10:00.000Z"
                     *           }
                     *         ]
                     *       },
                     *       "rejection_reason": "The ID photo is blurred"
                     *     }
                     */
                    "application/json": {
                        /** @enum {string} */
                        kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        /** @description The latest submission; null before the first */
                        submission: {
                            id: number;
                            /** @enum {string} */
                            status: "pending" | "approved" | "rejected";
                            full_name: string;
                            /** @enum {string} */
                            id_type: "national_id" | "passport" | "alien_id";
                            id_number: string;
                            business_name: string;
                            business_registration_number: string | null;
                            kra_pin: string | null;
                            phone_number: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                            reviewed_at: string | null;
                            rejection_reason: string | null;
                            documents: {
                                id: number;
                                /** @enum {string} */
                                kind: "id_front" | "id_back" | "business_certificate" | "kra_pin_certificate";
                                /** @enum {string} */
                                content_type: "image/jpeg" | "image/png" | "application/pdf";
                                /** @description Bytes */
                                size: number;
                                sha256: string;
                                /**
                                 * Format: date-time
                                 * @description ISO 8601 timestamp (UTC)
                                 */
                                created_at: string;
                            }[];
                        } | null;
                        /** @description Why the latest submission was rejected; null unless it was */
                        rejection_reason: string | null;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for people signed in to the dashboard (not API keys) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for people signed in to the dashboard (not API keys)",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiKyc: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    full_name: string;
                    /** @enum {string} */
                    id_type: "national_id" | "passport" | "alien_id";
                    id_number: string;
                    business_name: string;
                    business_registration_number?: string | null;
                    kra_pin?: string | null;
                    phone_number: string;
                    /**
                     * Format: binary
                     * @description The front of your ID (required): a JPEG, PNG or PDF file of at most 2 MB, sent with its Content-Type.
                     */
                    id_front: string;
                    /**
                     * Format: binary
                     * @description The back of your ID: a JPEG, PNG or PDF file of at most 2 MB, sent with its Content-Type.
                     */
                    id_back?: string;
                    /**
                     * Format: binary
                     * @description Your business registration certificate: a JPEG, PNG or PDF file of at most 2 MB, sent with its Content-Type.
                     */
                    business_certificate?: string;
                    /**
                     * Format: binary
                     * @description Your KRA PIN certificate: a JPEG, PNG or PDF file of at most 2 MB, sent with its Content-Type.
                     */
                    kra_pin_certificate?: string;
                };
            };
        };
        responses: {
            /** @description Submitted for review */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "kyc_status": "pending",
                     *       "submission": {
                     *         "id": 12,
                     *         "status": "pending",
                     *         "full_name": "Wanjiku Kamau",
                     *         "id_type": "national_id",
                     *         "id_number": "12345678",
                     *         "business_name": "Mama Mboga Ltd",
                     *         "business_registration_number": "PVT-AB1CD2EF",
                     *         "kra_pin": "A012345678Z",
                     *         "phone_number": "254712345678",
                     *         "created_at": "2026-11-22T18:10:00.000Z",
                     *         "reviewed_at": null,
                     *         "rejection_reason": null,
                     *         "documents": [
                     *           {
                     *             "id": 31,
                     *             "kind": "id_front",
                     *             "content_type": "image/png",
                     *             "size": 48213,
                     *             "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                     *             "created_at": "2026-11-22T18:10:00.000Z"
                     *           }
                     *         ]
                     *       },
                     *       "rejection_reason": null
                     *     }
                     */
                    "application/json": {
                        /** @enum {string} */
                        kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        /** @description The latest submission; null before the first */
                        submission: {
                            id: number;
                            /** @enum {string} */
                            status: "pending" | "approved" | "rejected";
                            full_name: string;
                            /** @enum {string} */
                            id_type: "national_id" | "passport" | "alien_id";
                            id_number: string;
                            business_name: string;
                            business_registration_number: string | null;
                            kra_pin: string | null;
                            phone_number: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                            reviewed_at: string | null;
                            rejection_reason: string | null;
                            documents: {
                                id: number;
                                /** @enum {string} */
                                kind: "id_front" | "id_back" | "business_certificate" | "kra_pin_certificate";
                                /** @enum {string} */
                                content_type: "image/jpeg" | "image/png" | "application/pdf";
                                /** @description Bytes */
                                size: number;
                                sha256: string;
                                /**
                                 * Format: date-time
                                 * @description ISO 8601 timestamp (UTC)
                                 */
                                created_at: string;
                            }[];
                        } | null;
                        /** @description Why the latest submission was rejected; null unless it was */
                        rejection_reason: string | null;
                    };
                };
            };
            /** @description id_front is larger than 2 MB; upload a smaller scan or photo */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "id_front is larger than 2 MB; upload a smaller scan or photo",
                     *       "code": "validation_failed",
                     *       "field": "id_front"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for people signed in to the dashboard (not API keys) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for people signed in to the dashboard (not API keys)",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Your KYC submission is being reviewed; you can submit again only if it is rejected */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Your KYC submission is being reviewed; you can submit again only if it is rejected",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This endpoint reads a multipart/form-data body (a browser's FormData), not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint reads a multipart/form-data body (a browser's FormData), not application/json",
                     *       "code": "unsupported_media_type"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your keys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 3,
                     *         "name": "Shop backend",
                     *         "api_username": "ak_test_4f9c2a7d1e0b3c58",
                     *         "account_id": 5,
                     *         "environment": "sandbox",
                     *         "created_at": "2026-11-22T18:04:11.000Z",
                     *         "last_used_at": null,
                     *         "revoked_at": null
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        name: string;
                        api_username: string;
                        /** @description The merchant account the key acts for */
                        account_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        last_used_at: string | null;
                        revoked_at: string | null;
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for people signed in to the dashboard (not API keys) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for people signed in to the dashboard (not API keys)",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /**
                     * @default sandbox
                     * @enum {string}
                     */
                    environment?: "sandbox" | "production";
                };
            };
        };
        responses: {
            /** @description The new key, with its password (shown once) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 3,
                     *       "name": "Shop backend",
                     *       "api_username": "ak_test_4f9c2a7d1e0b3c58",
                     *       "api_password": "hR3v…Qk",
                     *       "authorization": "Basic YWtfdGVzdF80ZjljMmE3ZDFlMGIzYzU4OmhSM3bigKZRaw==",
                     *       "environment": "sandbox",
                     *       "account_id": 5,
                     *       "created_at": "2026-11-22T18:04:11.000Z"
                     *     }
                     */
                    "application/json": {
                        id: number;
                        name: string;
                        api_username: string;
                        api_password: string;
                        /** @description A ready `Authorization` header value */
                        authorization: string;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        account_id: number;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    };
                };
            };
            /** @description name cannot be empty */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "name cannot be empty",
                     *       "code": "validation_failed",
                     *       "field": "name"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Identity verification (KYC) is required before you can create API keys */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Identity verification (KYC) is required before you can create API keys",
                     *       "code": "kyc_required"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteApiApiKeysId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The key’s id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key, now revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 3,
                     *       "name": "Shop backend",
                     *       "api_username": "ak_test_4f9c2a7d1e0b3c58",
                     *       "account_id": 5,
                     *       "environment": "sandbox",
                     *       "created_at": "2026-11-22T18:04:11.000Z",
                     *       "last_used_at": null,
                     *       "revoked_at": "2026-11-22T19:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        id: number;
                        name: string;
                        api_username: string;
                        /** @description The merchant account the key acts for */
                        account_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        last_used_at: string | null;
                        revoked_at: string | null;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for people signed in to the dashboard (not API keys) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for people signed in to the dashboard (not API keys)",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description API key 9 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "API key 9 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminUsers: {
        parameters: {
            query?: {
                kyc_status?: "unverified" | "pending" | "verified" | "rejected";
                role?: "merchant" | "admin";
                limit?: number;
                q?: string;
                cursor?: string;
                after_id?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 1,
                     *         "email": "admin@imarapay.co.ke",
                     *         "role": "admin",
                     *         "created_at": "2026-11-22T17:00:00.000Z",
                     *         "merchant": null
                     *       },
                     *       {
                     *         "id": 7,
                     *         "email": "owner@mamamboga.co.ke",
                     *         "role": "merchant",
                     *         "created_at": "2026-11-22T18:00:00.000Z",
                     *         "merchant": {
                     *           "id": 5,
                     *           "name": "Mama Mboga Ltd",
                     *           "kyc_status": "pending"
                     *         }
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        email: string;
                        /** @enum {string} */
                        role: "merchant" | "admin";
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        /** @description Null for admins */
                        merchant: {
                            id: number;
                            name: string;
                            /** @enum {string} */
                            kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        } | null;
                    }[];
                };
            };
            /** @description kyc_status must be one of unverified, pending, verified, rejected */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "kyc_status must be one of unverified, pending, verified, rejected",
                     *       "code": "validation_failed",
                     *       "field": "kyc_status"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminKyc: {
        parameters: {
            query?: {
                status?: "pending" | "approved" | "rejected";
                limit?: number;
                after_id?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Submissions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 12,
                     *         "status": "pending",
                     *         "full_name": "Wanjiku Kamau",
                     *         "id_type": "national_id",
                     *         "id_number": "12345678",
                     *         "business_name": "Mama Mboga Ltd",
                     *         "business_registration_number": "PVT-AB1CD2EF",
                     *         "kra_pin": "A012345678Z",
                     *         "phone_number": "254712345678",
                     *         "created_at": "2026-11-22T18:10:00.000Z",
                     *         "reviewed_at": null,
                     *         "rejection_reason": null,
                     *         "documents": [
                     *           {
                     *             "id": 31,
                     *             "kind": "id_front",
                     *             "content_type": "image/png",
                     *             "size": 48213,
                     *             "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                     *             "created_at": "2026-11-22T18:10:00.000Z"
                     *           }
                     *         ],
                     *         "merchant": {
                     *           "id": 5,
                     *           "name": "Mama Mboga Ltd",
                     *           "email": "owner@mamamboga.co.ke",
                     *           "kyc_status": "pending"
                     *         }
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected";
                        full_name: string;
                        /** @enum {string} */
                        id_type: "national_id" | "passport" | "alien_id";
                        id_number: string;
                        business_name: string;
                        business_registration_number: string | null;
                        kra_pin: string | null;
                        phone_number: string;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        reviewed_at: string | null;
                        rejection_reason: string | null;
                        documents: {
                            id: number;
                            /** @enum {string} */
                            kind: "id_front" | "id_back" | "business_certificate" | "kra_pin_certificate";
                            /** @enum {string} */
                            content_type: "image/jpeg" | "image/png" | "application/pdf";
                            /** @description Bytes */
                            size: number;
                            sha256: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                        }[];
                        merchant: {
                            id: number;
                            name: string;
                            email: string;
                            /** @enum {string} */
                            kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        };
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminKycId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The submission’s id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The submission, its merchant, its documents’ metadata and its reviewer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 12,
                     *       "status": "pending",
                     *       "full_name": "Wanjiku Kamau",
                     *       "id_type": "national_id",
                     *       "id_number": "12345678",
                     *       "business_name": "Mama Mboga Ltd",
                     *       "business_registration_number": "PVT-AB1CD2EF",
                     *       "kra_pin": "A012345678Z",
                     *       "phone_number": "254712345678",
                     *       "created_at": "2026-11-22T18:10:00.000Z",
                     *       "reviewed_at": null,
                     *       "rejection_reason": null,
                     *       "documents": [
                     *         {
                     *           "id": 31,
                     *           "kind": "id_front",
                     *           "content_type": "image/png",
                     *           "size": 48213,
                     *           "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                     *           "created_at": "2026-11-22T18:10:00.000Z"
                     *         }
                     *       ],
                     *       "merchant": {
                     *         "id": 5,
                     *         "name": "Mama Mboga Ltd",
                     *         "email": "owner@mamamboga.co.ke",
                     *         "kyc_status": "pending"
                     *       },
                     *       "reviewed_by": null
                     *     }
                     */
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected";
                        full_name: string;
                        /** @enum {string} */
                        id_type: "national_id" | "passport" | "alien_id";
                        id_number: string;
                        business_name: string;
                        business_registration_number: string | null;
                        kra_pin: string | null;
                        phone_number: string;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        reviewed_at: string | null;
                        rejection_reason: string | null;
                        documents: {
                            id: number;
                            /** @enum {string} */
                            kind: "id_front" | "id_back" | "business_certificate" | "kra_pin_certificate";
                            /** @enum {string} */
                            content_type: "image/jpeg" | "image/png" | "application/pdf";
                            /** @description Bytes */
                            size: number;
                            sha256: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                        }[];
                        merchant: {
                            id: number;
                            name: string;
                            email: string;
                            /** @enum {string} */
                            kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        };
                        reviewed_by: {
                            id: number;
                            email: string;
                        } | null;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description KYC submission 12 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "KYC submission 12 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminKycIdDocumentsDocumentId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The submission’s id */
                id: string;
                /** @description The document’s id (from the submission’s documents) */
                documentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Document 31 of KYC submission 12 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Document 31 of KYC submission 12 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAdminKycIdApprove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The submission’s id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Approved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 12,
                     *       "status": "approved",
                     *       "full_name": "Wanjiku Kamau",
                     *       "id_type": "national_id",
                     *       "id_number": "12345678",
                     *       "business_name": "Mama Mboga Ltd",
                     *       "business_registration_number": "PVT-AB1CD2EF",
                     *       "kra_pin": "A012345678Z",
                     *       "phone_number": "254712345678",
                     *       "created_at": "2026-11-22T18:10:00.000Z",
                     *       "reviewed_at": "2026-11-22T19:00:00.000Z",
                     *       "rejection_reason": null,
                     *       "documents": [
                     *         {
                     *           "id": 31,
                     *           "kind": "id_front",
                     *           "content_type": "image/png",
                     *           "size": 48213,
                     *           "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                     *           "created_at": "2026-11-22T18:10:00.000Z"
                     *         }
                     *       ],
                     *       "merchant": {
                     *         "id": 5,
                     *         "name": "Mama Mboga Ltd",
                     *         "email": "owner@mamamboga.co.ke",
                     *         "kyc_status": "verified"
                     *       },
                     *       "reviewed_by": {
                     *         "id": 1,
                     *         "email": "admin@imarapay.co.ke"
                     *       }
                     *     }
                     */
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected";
                        full_name: string;
                        /** @enum {string} */
                        id_type: "national_id" | "passport" | "alien_id";
                        id_number: string;
                        business_name: string;
                        business_registration_number: string | null;
                        kra_pin: string | null;
                        phone_number: string;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        reviewed_at: string | null;
                        rejection_reason: string | null;
                        documents: {
                            id: number;
                            /** @enum {string} */
                            kind: "id_front" | "id_back" | "business_certificate" | "kra_pin_certificate";
                            /** @enum {string} */
                            content_type: "image/jpeg" | "image/png" | "application/pdf";
                            /** @description Bytes */
                            size: number;
                            sha256: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                        }[];
                        merchant: {
                            id: number;
                            name: string;
                            email: string;
                            /** @enum {string} */
                            kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        };
                        reviewed_by: {
                            id: number;
                            email: string;
                        } | null;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description KYC submission 12 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "KYC submission 12 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description KYC submission 12 was already approved; only a pending submission can be decided */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "KYC submission 12 was already approved; only a pending submission can be decided",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAdminKycIdReject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The submission’s id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Rejected */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 12,
                     *       "status": "rejected",
                     *       "full_name": "Wanjiku Kamau",
                     *       "id_type": "national_id",
                     *       "id_number": "12345678",
                     *       "business_name": "Mama Mboga Ltd",
                     *       "business_registration_number": "PVT-AB1CD2EF",
                     *       "kra_pin": "A012345678Z",
                     *       "phone_number": "254712345678",
                     *       "created_at": "2026-11-22T18:10:00.000Z",
                     *       "reviewed_at": "2026-11-22T19:00:00.000Z",
                     *       "rejection_reason": "The ID photo is blurred",
                     *       "documents": [
                     *         {
                     *           "id": 31,
                     *           "kind": "id_front",
                     *           "content_type": "image/png",
                     *           "size": 48213,
                     *           "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                     *           "created_at": "2026-11-22T18:10:00.000Z"
                     *         }
                     *       ],
                     *       "merchant": {
                     *         "id": 5,
                     *         "name": "Mama Mboga Ltd",
                     *         "email": "owner@mamamboga.co.ke",
                     *         "kyc_status": "rejected"
                     *       },
                     *       "reviewed_by": {
                     *         "id": 1,
                     *         "email": "admin@imarapay.co.ke"
                     *       }
                     *     }
                     */
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected";
                        full_name: string;
                        /** @enum {string} */
                        id_type: "national_id" | "passport" | "alien_id";
                        id_number: string;
                        business_name: string;
                        business_registration_number: string | null;
                        kra_pin: string | null;
                        phone_number: string;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        reviewed_at: string | null;
                        rejection_reason: string | null;
                        documents: {
                            id: number;
                            /** @enum {string} */
                            kind: "id_front" | "id_back" | "business_certificate" | "kra_pin_certificate";
                            /** @enum {string} */
                            content_type: "image/jpeg" | "image/png" | "application/pdf";
                            /** @description Bytes */
                            size: number;
                            sha256: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                        }[];
                        merchant: {
                            id: number;
                            name: string;
                            email: string;
                            /** @enum {string} */
                            kyc_status: "unverified" | "pending" | "verified" | "rejected";
                        };
                        reviewed_by: {
                            id: number;
                            email: string;
                        } | null;
                    };
                };
            };
            /** @description reason is required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "reason is required",
                     *       "code": "validation_failed",
                     *       "field": "reason"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description KYC submission 12 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "KYC submission 12 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description KYC submission 12 was already approved; only a pending submission can be decided */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "KYC submission 12 was already approved; only a pending submission can be decided",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "callback_url": "https://shop.example.com/payment/callback",
                     *       "webhook_signing": {
                     *         "header": "ImaraPay-Signature",
                     *         "algorithm": "hmac-sha256"
                     *       }
                     *     }
                     */
                    "application/json": {
                        callback_url: string | null;
                        webhook_signing: {
                            /** @description The header that carries the signature */
                            header: string;
                            algorithm: string;
                        };
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putApiSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Where ImaraPay POSTs payment results; null stops webhooks. HTTPS and a public address in production. */
                    callback_url: string | null;
                };
            };
        };
        responses: {
            /** @description The saved settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "callback_url": "https://shop.example.com/payment/callback",
                     *       "webhook_signing": {
                     *         "header": "ImaraPay-Signature",
                     *         "algorithm": "hmac-sha256"
                     *       }
                     *     }
                     */
                    "application/json": {
                        callback_url: string | null;
                        webhook_signing: {
                            /** @description The header that carries the signature */
                            header: string;
                            algorithm: string;
                        };
                    };
                };
            };
            /** @description callback_url points at a non-public address (10.0.0.5) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "callback_url points at a non-public address (10.0.0.5)",
                     *       "code": "validation_failed",
                     *       "field": "callback_url"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiSettingsWebhookSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The current secret */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "secret": "whsec_q1Jr0Cq9mJ9r3r2YbKQ5dVtq3Yt0bZy3Qq8b6Xo3o8E"
                     *     }
                     */
                    "application/json": {
                        secret: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for people signed in to the dashboard (not API keys) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for people signed in to the dashboard (not API keys)",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiSettingsWebhookSecretRotate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new secret */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "secret": "whsec_q1Jr0Cq9mJ9r3r2YbKQ5dVtq3Yt0bZy3Qq8b6Xo3o8E"
                     *     }
                     */
                    "application/json": {
                        secret: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for people signed in to the dashboard (not API keys) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for people signed in to the dashboard (not API keys)",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiWebhooksDeliveries: {
        parameters: {
            query?: {
                /** @description Only deliveries in this state */
                status?: "pending" | "delivered" | "failed" | "superseded";
                /** @description How many, newest first */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deliveries, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 17,
                     *         "transaction_id": 42,
                     *         "event": "payment.completed",
                     *         "url": "https://shop.example.com/payment/callback",
                     *         "status": "delivered",
                     *         "attempts": 3,
                     *         "last_attempt_at": "2024-06-15T12:35:44.120Z",
                     *         "delivered_at": "2024-06-15T12:35:44.301Z",
                     *         "created_at": "2024-06-15T12:35:14.002Z"
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        transaction_id: number;
                        /** @enum {string} */
                        event: "payment.completed" | "payment.failed" | "payment.review_started" | "reversal.succeeded" | "reversal.failed";
                        url: string;
                        /** @enum {string} */
                        status: "pending" | "delivered" | "failed" | "superseded";
                        attempts: number;
                        last_attempt_at: string | null;
                        delivered_at: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    }[];
                };
            };
            /** @description status must be one of pending, delivered, failed, superseded */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "status must be one of pending, delivered, failed, superseded",
                     *       "code": "validation_failed",
                     *       "field": "status"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiWebhooksDeliveriesId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The delivery id (also sent as the X-ImaraPay-Delivery header) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The delivery */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 17,
                     *       "transaction_id": 42,
                     *       "event": "payment.completed",
                     *       "url": "https://shop.example.com/payment/callback",
                     *       "status": "delivered",
                     *       "attempts": 3,
                     *       "last_attempt_at": "2024-06-15T12:35:44.120Z",
                     *       "delivered_at": "2024-06-15T12:35:44.301Z",
                     *       "created_at": "2024-06-15T12:35:14.002Z",
                     *       "payload": {
                     *         "Body": {
                     *           "stkCallback": {
                     *             "CheckoutRequestID": "ws_CO_123456789",
                     *             "ResultCode": 0,
                     *             "ResultDesc": "The service request is processed successfully."
                     *           }
                     *         },
                     *         "ImaraPay": {
                     *           "transaction_id": 42,
                     *           "status": "completed"
                     *         }
                     *       },
                     *       "attempt_log": [
                     *         {
                     *           "attempt_no": 1,
                     *           "status": "rejected",
                     *           "started_at": "2024-06-15T12:35:14.010Z",
                     *           "status_code": 500,
                     *           "latency_ms": 84,
                     *           "error": null,
                     *           "response_excerpt": "{\"error\":\"database down\"}"
                     *         },
                     *         {
                     *           "attempt_no": 2,
                     *           "status": "unknown",
                     *           "started_at": "2024-06-15T12:35:24.090Z",
                     *           "status_code": null,
                     *           "latency_ms": 10002,
                     *           "error": "Timeout: no complete answer within 10000 ms",
                     *           "response_excerpt": null
                     *         },
                     *         {
                     *           "attempt_no": 3,
                     *           "status": "accepted",
                     *           "started_at": "2024-06-15T12:35:44.120Z",
                     *           "status_code": 200,
                     *           "latency_ms": 181,
                     *           "error": null,
                     *           "response_excerpt": "{\"ResultCode\":0,\"ResultDesc\":\"Accept\"}"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        id: number;
                        transaction_id: number;
                        /** @enum {string} */
                        event: "payment.completed" | "payment.failed" | "payment.review_started" | "reversal.succeeded" | "reversal.failed";
                        url: string;
                        /** @enum {string} */
                        status: "pending" | "delivered" | "failed" | "superseded";
                        attempts: number;
                        last_attempt_at: string | null;
                        delivered_at: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        /** @description The JSON body POSTed to the callback URL */
                        payload: unknown;
                        attempt_log: {
                            attempt_no: number;
                            /** @enum {string} */
                            status: "sending" | "accepted" | "rejected" | "failed" | "unknown";
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            started_at: string;
                            /** @description What the endpoint answered; null when it could not be reached */
                            status_code: number | null;
                            latency_ms: number;
                            error: string | null;
                            response_excerpt: string | null;
                        }[];
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such delivery among yours (another merchant's answers the same) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Webhook delivery 17 was not found",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiWebhooksDeliveriesIdRedeliver: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The delivery id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Redelivery started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "delivery_id": 17,
                     *       "workflow_id": "webhook-redelivery-17"
                     *     }
                     */
                    "application/json": {
                        delivery_id: number;
                        workflow_id: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such delivery among yours (another merchant's answers the same) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Webhook delivery 17 was not found",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No callback URL, or a superseded failure (never sent) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "You have no callback URL: set one with PUT /api/settings, then redeliver",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminOverview: {
        parameters: {
            query?: {
                /** @description Count only this environment's payments (default: both) */
                environment?: "sandbox" | "production";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Today's figures */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "date": "2024-06-15",
                     *       "environment": "all",
                     *       "payments_today": {
                     *         "pending": 3,
                     *         "completed": 120,
                     *         "failed": 8
                     *       },
                     *       "volume_today": 184500,
                     *       "success_rate_today": 0.9375,
                     *       "fees_earned_today": 2310,
                     *       "pending_kyc": 4,
                     *       "webhook_backlog": 2
                     *     }
                     */
                    "application/json": {
                        /**
                         * Format: date
                         * @description A day, YYYY-MM-DD (Nairobi)
                         */
                        date: string;
                        environment: ("sandbox" | "production") | "all";
                        payments_today: {
                            pending: number;
                            completed: number;
                            failed: number;
                        };
                        /** @description KES paid in completed payments today */
                        volume_today: number;
                        /** @description completed / (completed + failed); null before any payment has ended today */
                        success_rate_today: number | null;
                        /** @description Whole KES */
                        fees_earned_today: number;
                        /** @description Merchants waiting for a KYC review */
                        pending_kyc: number;
                        /** @description Webhook deliveries not yet accepted and still being retried */
                        webhook_backlog: number;
                    };
                };
            };
            /** @description environment must be sandbox or production */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "environment must be sandbox or production",
                     *       "code": "validation_failed",
                     *       "field": "environment"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAccounts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your channels */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 1,
                     *         "name": "Till 3118761",
                     *         "account_type": "till",
                     *         "account_number": "3118761",
                     *         "account_reference": "3118761",
                     *         "bank_name": null,
                     *         "is_active": true,
                     *         "created_at": "2024-06-15T08:00:00.000Z"
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        name: string;
                        /** @enum {string} */
                        account_type: "till" | "paybill" | "bank";
                        account_number: string;
                        account_reference: string;
                        bank_name: string | null;
                        is_active: boolean;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAccounts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    account_type: "till" | "paybill" | "bank";
                    account_number: string;
                    bank_name?: string | null;
                    account_reference?: string | null;
                };
            };
        };
        responses: {
            /** @description The new channel */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 2,
                     *       "name": "Equity Bank 0123456789",
                     *       "account_type": "bank",
                     *       "account_number": "0123456789",
                     *       "account_reference": "0123456789",
                     *       "bank_name": "Equity Bank",
                     *       "is_active": true,
                     *       "created_at": "2024-06-15T08:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        id: number;
                        name: string;
                        /** @enum {string} */
                        account_type: "till" | "paybill" | "bank";
                        account_number: string;
                        account_reference: string;
                        bank_name: string | null;
                        is_active: boolean;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    };
                };
            };
            /** @description A till number is 5 to 7 digits */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "A till number is 5 to 7 digits",
                     *       "code": "validation_failed",
                     *       "field": "account_number"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Identity verification (KYC) is required before you can add payment channels */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Identity verification (KYC) is required before you can add payment channels",
                     *       "code": "kyc_required"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This channel already exists as channel 1 */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This channel already exists as channel 1",
                     *       "code": "conflict",
                     *       "account_id": 1
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAccountsIdDeactivate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The channel id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The channel, now inactive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 1,
                     *       "name": "Till 3118761",
                     *       "account_type": "till",
                     *       "account_number": "3118761",
                     *       "account_reference": "3118761",
                     *       "bank_name": null,
                     *       "is_active": false,
                     *       "created_at": "2024-06-15T08:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        id: number;
                        name: string;
                        /** @enum {string} */
                        account_type: "till" | "paybill" | "bank";
                        account_number: string;
                        account_reference: string;
                        bank_name: string | null;
                        is_active: boolean;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment channel 9 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment channel 9 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAccountsIdInitiator: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The channel id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The initiator, without its password */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "channel_id": 1,
                     *       "configured": true,
                     *       "initiator_name": "imarapay_api",
                     *       "updated_at": "2026-12-07T18:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        channel_id: number;
                        configured: boolean;
                        initiator_name: string | null;
                        updated_at: string | null;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment channel 9 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment channel 9 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putApiAccountsIdInitiator: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The channel id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    initiator_name: string;
                    initiator_password: string;
                };
            };
        };
        responses: {
            /** @description Saved; the password is not echoed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "channel_id": 1,
                     *       "configured": true,
                     *       "initiator_name": "imarapay_api",
                     *       "updated_at": "2026-12-07T18:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        channel_id: number;
                        configured: boolean;
                        initiator_name: string | null;
                        updated_at: string | null;
                    };
                };
            };
            /** @description initiator_name cannot be empty */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "initiator_name cannot be empty",
                     *       "code": "validation_failed",
                     *       "field": "initiator_name"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment channel 9 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment channel 9 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiBanks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every supported bank */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "name": "Equity Bank",
                     *         "paybill": "247247"
                     *       },
                     *       {
                     *         "name": "KCB Bank",
                     *         "paybill": "522522"
                     *       }
                     *     ]
                     */
                    "application/json": {
                        name: string;
                        paybill: string;
                    }[];
                };
            };
        };
    };
    getApiWallet: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The balance in whole KES */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "balance": 994,
                     *       "currency": "KES"
                     *     }
                     */
                    "application/json": {
                        /** @description Whole KES */
                        balance: number;
                        /** @constant */
                        currency: "KES";
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiWalletLedger: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 31,
                     *         "kind": "fee_reserve",
                     *         "amount": -6,
                     *         "balance_after": 994,
                     *         "transaction_id": 42,
                     *         "reference": null,
                     *         "created_at": "2024-06-15T12:34:56.000Z"
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        kind: "top_up" | "adjustment" | "fee_reserve" | "fee_capture" | "fee_release" | "late_fee_capture";
                        /** @description Signed: a debit is negative */
                        amount: number;
                        /** @description Whole KES */
                        balance_after: number;
                        transaction_id: number | null;
                        reference: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    }[];
                };
            };
            /** @description limit must be at most 1000; follow the X-Next-Cursor header for more */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "limit must be at most 1000; follow the X-Next-Cursor header for more",
                     *       "code": "validation_failed",
                     *       "field": "limit"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiWalletTopUps: {
        parameters: {
            query?: never;
            header?: {
                /** @description A retry with the same key and body returns the same top-up instead of prompting again. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    amount: number;
                    phone_number: string;
                };
            };
        };
        responses: {
            /** @description M-Pesa accepted the push */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "success": true,
                     *       "message": "STK push sent successfully",
                     *       "transaction_id": 57,
                     *       "checkout_request_id": "ws_CO_…",
                     *       "fee_to_be_charged": 0
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        success: true;
                        message: string;
                        transaction_id: number;
                        /** @description Daraja's CheckoutRequestID; while M-Pesa has not confirmed the push (202), the transaction id */
                        checkout_request_id: string;
                        /** @description Whole KES */
                        fee_to_be_charged: number;
                    };
                };
            };
            /** @description M-Pesa did not confirm the push in time; do not push again: poll with transaction_id */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        success: true;
                        message: string;
                        transaction_id: number;
                        /** @description Daraja's CheckoutRequestID; while M-Pesa has not confirmed the push (202), the transaction id */
                        checkout_request_id: string;
                        /** @description Whole KES */
                        fee_to_be_charged: number;
                    };
                };
            };
            /** @description amount must be at least KES 1 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "amount must be at least KES 1",
                     *       "code": "validation_failed",
                     *       "field": "amount"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Top-ups are real M-Pesa payments: use a production API key, or the dashboard in production mode */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Top-ups are real M-Pesa payments: use a production API key, or the dashboard in production mode",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description ImaraPay could not start the payment (Retry-After says when to retry; use the same Idempotency-Key) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "The payment could not be started just now; nothing was sent to M-Pesa. Retry with the same Idempotency-Key to start this same payment.",
                     *       "code": "temporarily_unavailable",
                     *       "transaction_id": 47,
                     *       "retry_after": 5
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiTransactions: {
        parameters: {
            query?: {
                status?: "pending" | "completed" | "failed" | "needs_review";
                account_id?: number;
                type?: "payment" | "wallet_top_up";
                customer_id?: string;
                link_id?: string;
                q?: string;
                from?: string;
                to?: string;
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of transactions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 42,
                     *         "type": "payment",
                     *         "phone_number": "254712345678",
                     *         "amount": 500,
                     *         "fee_charged": 6,
                     *         "status": "completed",
                     *         "mpesa_receipt": "RGH8KXXXX",
                     *         "external_reference": "INV-001",
                     *         "description": "Order #1001",
                     *         "checkout_request_id": "ws_CO_…",
                     *         "result_code": "0",
                     *         "result_desc": "The service request is processed successfully.",
                     *         "mpesa_amount": 500,
                     *         "mpesa_phone_number": "254712345678",
                     *         "mpesa_transaction_date": "20240615153514",
                     *         "review_reason": null,
                     *         "account_id": 1,
                     *         "account_name": "Till 3118761",
                     *         "channel": "Till - 3118761",
                     *         "customer_id": "cus_4QyZ0f3kR8mWn2Lp7",
                     *         "link_id": null,
                     *         "created_at": "2024-06-15T12:34:56.000Z",
                     *         "completed_at": "2024-06-15T12:35:14.000Z",
                     *         "reversal_status": null
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        type: "payment" | "wallet_top_up";
                        phone_number: string;
                        /** @description Whole KES */
                        amount: number;
                        /** @description The fee kept: the fee of a completed payment, else 0 */
                        fee_charged: number;
                        /**
                         * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                         * @enum {string}
                         */
                        status: "pending" | "completed" | "failed" | "needs_review";
                        mpesa_receipt: string | null;
                        external_reference: string | null;
                        description: string;
                        checkout_request_id: string | null;
                        result_code: string | null;
                        result_desc: string | null;
                        /** @description The Amount of M-Pesa's callback, as it said it */
                        mpesa_amount: number | null;
                        mpesa_phone_number: string | null;
                        /** @description YYYYMMDDHHmmss, Nairobi time, as M-Pesa sent it */
                        mpesa_transaction_date: string | null;
                        review_reason: string | null;
                        account_id: number | null;
                        account_name: string | null;
                        channel: string | null;
                        customer_id: string | null;
                        /** @description The payment link (`plink_…`) the payment came from; null for every other payment */
                        link_id: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        completed_at: string | null;
                        /** @description The payment's reversal; null when none was asked for */
                        reversal_status: ("requested" | "reversed" | "failed" | "in_doubt") | null;
                    }[];
                };
            };
            /** @description status must be pending, completed, failed or needs_review */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "status must be pending, completed, failed or needs_review",
                     *       "code": "validation_failed",
                     *       "field": "status"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment channel 9 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment channel 9 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiTransactionsCsv: {
        parameters: {
            query?: {
                status?: "pending" | "completed" | "failed" | "needs_review";
                account_id?: number;
                type?: "payment" | "wallet_top_up";
                customer_id?: string;
                link_id?: string;
                q?: string;
                from?: string;
                to?: string;
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/csv attachment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example id,type,created_at,…
                     *     42,payment,2024-06-15T12:34:56.000Z,…
                     */
                    "text/csv": string;
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiTransactionsIdReversal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The transaction id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The reversal */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "reversal_id": 12,
                     *       "transaction_id": 42,
                     *       "status": "requested",
                     *       "state": "accepted",
                     *       "amount": 500,
                     *       "mpesa_receipt": "SLK4H7QX2P",
                     *       "reversal_receipt": null,
                     *       "result_code": null,
                     *       "result_desc": null,
                     *       "decided_by": null,
                     *       "fee_charged": 6,
                     *       "fee_refunded": 0,
                     *       "fee_rule": "ImaraPay's fee for the payment is kept: a reversal returns the customer's money, not the fee, and costs no new fee.",
                     *       "requested_by": "ak_test_3f9c1e2a",
                     *       "requested_at": "2026-12-08T09:00:00.000Z",
                     *       "completed_at": null,
                     *       "workflow_id": "payment-42-reversal",
                     *       "evidence": []
                     *     }
                     */
                    "application/json": {
                        reversal_id: number;
                        transaction_id: number;
                        /**
                         * @description `requested`: on its way; `failed`: nothing moved; `in_doubt`: no word from M-Pesa within the window (a late result still settles it)
                         * @enum {string}
                         */
                        status: "requested" | "reversed" | "failed" | "in_doubt";
                        /**
                         * @description The workflow's finer stage
                         * @enum {string}
                         */
                        state: "requested" | "sending" | "accepted" | "reversed" | "failed" | "in_doubt";
                        /** @description Whole KES */
                        amount: number;
                        /** @description The payment's M-Pesa receipt */
                        mpesa_receipt: string;
                        /** @description M-Pesa's receipt of the reversal itself */
                        reversal_receipt: string | null;
                        result_code: string | null;
                        result_desc: string | null;
                        decided_by: ("result" | "mpesa_record" | "request_refused") | null;
                        /** @description Whole KES */
                        fee_charged: number;
                        /** @constant */
                        fee_refunded: 0;
                        fee_rule: string;
                        requested_by: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        requested_at: string;
                        completed_at: string | null;
                        workflow_id: string;
                        evidence: {
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            received_at: string;
                            /** @enum {string} */
                            kind: "result" | "timeout" | "status" | "status_timeout";
                            /** @enum {string} */
                            disposition: "outcome" | "repeat" | "unknown" | "malformed";
                            result_code: string | null;
                            description: string;
                            raw: string;
                        }[];
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Transaction 42 has no reversal */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Transaction 42 has no reversal",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiTransactionsIdReversal: {
        parameters: {
            query?: never;
            header?: {
                /** @description Your key for this reversal (at most 255 characters); any retry answers the one reversal of the payment. */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description The transaction id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    remarks?: string;
                };
            };
        };
        responses: {
            /** @description The payment already has this reversal (a retry or a second request) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "created": false,
                     *       "reversal": {
                     *         "reversal_id": 12,
                     *         "transaction_id": 42,
                     *         "status": "reversed",
                     *         "state": "reversed",
                     *         "amount": 500,
                     *         "mpesa_receipt": "SLK4H7QX2P",
                     *         "reversal_receipt": null,
                     *         "result_code": null,
                     *         "result_desc": null,
                     *         "decided_by": null,
                     *         "fee_charged": 6,
                     *         "fee_refunded": 0,
                     *         "fee_rule": "ImaraPay's fee for the payment is kept: a reversal returns the customer's money, not the fee, and costs no new fee.",
                     *         "requested_by": "ak_test_3f9c1e2a",
                     *         "requested_at": "2026-12-08T09:00:00.000Z",
                     *         "completed_at": null,
                     *         "workflow_id": "payment-42-reversal"
                     *       }
                     *     }
                     */
                    "application/json": {
                        created: boolean;
                        reversal: {
                            reversal_id: number;
                            transaction_id: number;
                            /**
                             * @description `requested`: on its way; `failed`: nothing moved; `in_doubt`: no word from M-Pesa within the window (a late result still settles it)
                             * @enum {string}
                             */
                            status: "requested" | "reversed" | "failed" | "in_doubt";
                            /**
                             * @description The workflow's finer stage
                             * @enum {string}
                             */
                            state: "requested" | "sending" | "accepted" | "reversed" | "failed" | "in_doubt";
                            /** @description Whole KES */
                            amount: number;
                            /** @description The payment's M-Pesa receipt */
                            mpesa_receipt: string;
                            /** @description M-Pesa's receipt of the reversal itself */
                            reversal_receipt: string | null;
                            result_code: string | null;
                            result_desc: string | null;
                            decided_by: ("result" | "mpesa_record" | "request_refused") | null;
                            /** @description Whole KES */
                            fee_charged: number;
                            /** @constant */
                            fee_refunded: 0;
                            fee_rule: string;
                            requested_by: string | null;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            requested_at: string;
                            completed_at: string | null;
                            workflow_id: string;
                        };
                    };
                };
            };
            /** @description Recorded and started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "created": true,
                     *       "reversal": {
                     *         "reversal_id": 12,
                     *         "transaction_id": 42,
                     *         "status": "requested",
                     *         "state": "accepted",
                     *         "amount": 500,
                     *         "mpesa_receipt": "SLK4H7QX2P",
                     *         "reversal_receipt": null,
                     *         "result_code": null,
                     *         "result_desc": null,
                     *         "decided_by": null,
                     *         "fee_charged": 6,
                     *         "fee_refunded": 0,
                     *         "fee_rule": "ImaraPay's fee for the payment is kept: a reversal returns the customer's money, not the fee, and costs no new fee.",
                     *         "requested_by": "ak_test_3f9c1e2a",
                     *         "requested_at": "2026-12-08T09:00:00.000Z",
                     *         "completed_at": null,
                     *         "workflow_id": "payment-42-reversal"
                     *       }
                     *     }
                     */
                    "application/json": {
                        created: boolean;
                        reversal: {
                            reversal_id: number;
                            transaction_id: number;
                            /**
                             * @description `requested`: on its way; `failed`: nothing moved; `in_doubt`: no word from M-Pesa within the window (a late result still settles it)
                             * @enum {string}
                             */
                            status: "requested" | "reversed" | "failed" | "in_doubt";
                            /**
                             * @description The workflow's finer stage
                             * @enum {string}
                             */
                            state: "requested" | "sending" | "accepted" | "reversed" | "failed" | "in_doubt";
                            /** @description Whole KES */
                            amount: number;
                            /** @description The payment's M-Pesa receipt */
                            mpesa_receipt: string;
                            /** @description M-Pesa's receipt of the reversal itself */
                            reversal_receipt: string | null;
                            result_code: string | null;
                            result_desc: string | null;
                            decided_by: ("result" | "mpesa_record" | "request_refused") | null;
                            /** @description Whole KES */
                            fee_charged: number;
                            /** @constant */
                            fee_refunded: 0;
                            fee_rule: string;
                            requested_by: string | null;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            requested_at: string;
                            completed_at: string | null;
                            workflow_id: string;
                        };
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Transaction 42 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Transaction 42 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only completed payments can be reversed; this one is failed; Reversals need this channel's M-Pesa initiator: … the "Org Reversals Initiator" role … */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The reversal is recorded but could not be started just now; … */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "The reversal is recorded but could not be started just now; …",
                     *       "code": "temporarily_unavailable",
                     *       "transaction_id": 42,
                     *       "reversal_id": 12,
                     *       "retry_after": 5
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminReversals: {
        parameters: {
            query?: {
                status?: "requested" | "reversed" | "failed" | "in_doubt";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Reversals */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "reversal_id": 12,
                     *         "transaction_id": 42,
                     *         "status": "requested",
                     *         "state": "accepted",
                     *         "amount": 500,
                     *         "mpesa_receipt": "SLK4H7QX2P",
                     *         "reversal_receipt": null,
                     *         "result_code": null,
                     *         "result_desc": null,
                     *         "decided_by": null,
                     *         "fee_charged": 6,
                     *         "fee_refunded": 0,
                     *         "fee_rule": "ImaraPay's fee for the payment is kept: a reversal returns the customer's money, not the fee, and costs no new fee.",
                     *         "requested_by": "ak_test_3f9c1e2a",
                     *         "requested_at": "2026-12-08T09:00:00.000Z",
                     *         "completed_at": null,
                     *         "workflow_id": "payment-42-reversal",
                     *         "merchant_id": 7,
                     *         "merchant_name": "Duka La Mama",
                     *         "environment": "sandbox",
                     *         "evidence": []
                     *       }
                     *     ]
                     */
                    "application/json": {
                        reversal_id: number;
                        transaction_id: number;
                        /**
                         * @description `requested`: on its way; `failed`: nothing moved; `in_doubt`: no word from M-Pesa within the window (a late result still settles it)
                         * @enum {string}
                         */
                        status: "requested" | "reversed" | "failed" | "in_doubt";
                        /**
                         * @description The workflow's finer stage
                         * @enum {string}
                         */
                        state: "requested" | "sending" | "accepted" | "reversed" | "failed" | "in_doubt";
                        /** @description Whole KES */
                        amount: number;
                        /** @description The payment's M-Pesa receipt */
                        mpesa_receipt: string;
                        /** @description M-Pesa's receipt of the reversal itself */
                        reversal_receipt: string | null;
                        result_code: string | null;
                        result_desc: string | null;
                        decided_by: ("result" | "mpesa_record" | "request_refused") | null;
                        /** @description Whole KES */
                        fee_charged: number;
                        /** @constant */
                        fee_refunded: 0;
                        fee_rule: string;
                        requested_by: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        requested_at: string;
                        completed_at: string | null;
                        workflow_id: string;
                        evidence: {
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            received_at: string;
                            /** @enum {string} */
                            kind: "result" | "timeout" | "status" | "status_timeout";
                            /** @enum {string} */
                            disposition: "outcome" | "repeat" | "unknown" | "malformed";
                            result_code: string | null;
                            description: string;
                            raw: string;
                        }[];
                        merchant_id: number;
                        merchant_name: string;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                    }[];
                };
            };
            /** @description status must be requested, reversed, failed or in_doubt */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "status must be requested, reversed, failed or in_doubt",
                     *       "code": "validation_failed",
                     *       "field": "status"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postHooksDarajaReversalsTokenReversalIdKind: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Secret per-reversal token (redacted) */
                token: string;
                /** @description The reversal */
                reversalId: string;
                /** @description `result`, `timeout`, `status` or `status_timeout` */
                kind: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Stored and accepted (malformed and repeated results too) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "ResultCode": 0,
                     *       "ResultDesc": "Accept"
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        ResultCode: 0;
                        /** @constant */
                        ResultDesc: "Accept";
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for people signed in to the dashboard (not API keys) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for people signed in to the dashboard (not API keys)",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The result could not be stored */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "The result could not be stored",
                     *       "code": "temporarily_unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiCustomers: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                phone_number?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of customers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": "cus_4QyZ0f3kR8mWn2Lp7",
                     *         "phone_number": "254712345678",
                     *         "name": null,
                     *         "email": null,
                     *         "created_at": "2024-06-15T12:34:56.000Z",
                     *         "payment_count": 3,
                     *         "total_paid": 1500
                     *       }
                     *     ]
                     */
                    "application/json": {
                        /** @description cus_… */
                        id: string;
                        phone_number: string;
                        name: string | null;
                        email: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        /** @description Payments pushed to this customer, whatever their outcome */
                        payment_count: number;
                        /** @description KES paid in completed payments */
                        total_paid: number;
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiCustomersId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The customer id, cus_… */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The customer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "cus_4QyZ0f3kR8mWn2Lp7",
                     *       "phone_number": "254712345678",
                     *       "name": null,
                     *       "email": null,
                     *       "created_at": "2024-06-15T12:34:56.000Z",
                     *       "payment_count": 3,
                     *       "total_paid": 1500,
                     *       "payments": [
                     *         {
                     *           "id": 42,
                     *           "type": "payment",
                     *           "phone_number": "254712345678",
                     *           "amount": 500,
                     *           "fee_charged": 6,
                     *           "status": "completed",
                     *           "mpesa_receipt": "RGH8KXXXX",
                     *           "external_reference": "INV-001",
                     *           "description": "Order #1001",
                     *           "checkout_request_id": "ws_CO_…",
                     *           "result_code": "0",
                     *           "result_desc": "The service request is processed successfully.",
                     *           "mpesa_amount": 500,
                     *           "mpesa_phone_number": "254712345678",
                     *           "mpesa_transaction_date": "20240615153514",
                     *           "review_reason": null,
                     *           "account_id": 1,
                     *           "account_name": "Till 3118761",
                     *           "channel": "Till - 3118761",
                     *           "customer_id": "cus_4QyZ0f3kR8mWn2Lp7",
                     *           "link_id": null,
                     *           "created_at": "2024-06-15T12:34:56.000Z",
                     *           "completed_at": "2024-06-15T12:35:14.000Z",
                     *           "reversal_status": null
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /** @description cus_… */
                        id: string;
                        phone_number: string;
                        name: string | null;
                        email: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        /** @description Payments pushed to this customer, whatever their outcome */
                        payment_count: number;
                        /** @description KES paid in completed payments */
                        total_paid: number;
                        payments: {
                            id: number;
                            /** @enum {string} */
                            type: "payment" | "wallet_top_up";
                            phone_number: string;
                            /** @description Whole KES */
                            amount: number;
                            /** @description The fee kept: the fee of a completed payment, else 0 */
                            fee_charged: number;
                            /**
                             * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                             * @enum {string}
                             */
                            status: "pending" | "completed" | "failed" | "needs_review";
                            mpesa_receipt: string | null;
                            external_reference: string | null;
                            description: string;
                            checkout_request_id: string | null;
                            result_code: string | null;
                            result_desc: string | null;
                            /** @description The Amount of M-Pesa's callback, as it said it */
                            mpesa_amount: number | null;
                            mpesa_phone_number: string | null;
                            /** @description YYYYMMDDHHmmss, Nairobi time, as M-Pesa sent it */
                            mpesa_transaction_date: string | null;
                            review_reason: string | null;
                            account_id: number | null;
                            account_name: string | null;
                            channel: string | null;
                            customer_id: string | null;
                            /** @description The payment link (`plink_…`) the payment came from; null for every other payment */
                            link_id: string | null;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                            completed_at: string | null;
                            /** @description The payment's reversal; null when none was asked for */
                            reversal_status: ("requested" | "reversed" | "failed" | "in_doubt") | null;
                        }[];
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Customer cus_… does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Customer cus_… does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminPricing: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tiers, lowest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "min": 1,
                     *         "max": 100,
                     *         "fee": 1
                     *       },
                     *       {
                     *         "min": 101,
                     *         "max": 500,
                     *         "fee": 6
                     *       },
                     *       {
                     *         "min": 501,
                     *         "max": 250000,
                     *         "fee": 15
                     *       }
                     *     ]
                     */
                    "application/json": {
                        /** @description Whole KES */
                        min: number;
                        /** @description Whole KES */
                        max: number;
                        /** @description Whole KES */
                        fee: number;
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putApiAdminPricing: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    tiers: {
                        min: number;
                        max: number;
                        fee: number;
                    }[];
                };
            };
        };
        responses: {
            /** @description The schedule now in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "min": 1,
                     *         "max": 100,
                     *         "fee": 1
                     *       },
                     *       {
                     *         "min": 101,
                     *         "max": 500,
                     *         "fee": 6
                     *       },
                     *       {
                     *         "min": 501,
                     *         "max": 250000,
                     *         "fee": 15
                     *       }
                     *     ]
                     */
                    "application/json": {
                        /** @description Whole KES */
                        min: number;
                        /** @description Whole KES */
                        max: number;
                        /** @description Whole KES */
                        fee: number;
                    }[];
                };
            };
            /** @description tier 2 (90–500) overlaps the previous tier: it should start at 101 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "tier 2 (90–500) overlaps the previous tier: it should start at 101",
                     *       "code": "validation_failed",
                     *       "field": "tiers"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminMerchantsIdWallet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The merchant id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The balance */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "merchant_id": 7,
                     *       "balance": 994,
                     *       "currency": "KES"
                     *     }
                     */
                    "application/json": {
                        /** @description Whole KES */
                        balance: number;
                        /** @constant */
                        currency: "KES";
                        merchant_id: number;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Merchant 9 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Merchant 9 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminMerchantsIdWalletLedger: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                /** @description The merchant id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of entries, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        kind: "top_up" | "adjustment" | "fee_reserve" | "fee_capture" | "fee_release" | "late_fee_capture";
                        /** @description Signed: a debit is negative */
                        amount: number;
                        /** @description Whole KES */
                        balance_after: number;
                        transaction_id: number | null;
                        reference: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Merchant 9 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Merchant 9 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAdminMerchantsIdWalletAdjustments: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The merchant id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    amount: number;
                    reason: string;
                };
            };
        };
        responses: {
            /** @description The ledger entry and the new balance */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 88,
                     *       "kind": "adjustment",
                     *       "amount": 200,
                     *       "balance_after": 1194,
                     *       "transaction_id": null,
                     *       "reference": "Admin 1: refund of double charge",
                     *       "created_at": "2024-06-15T12:00:00.000Z",
                     *       "balance": 1194
                     *     }
                     */
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        kind: "top_up" | "adjustment" | "fee_reserve" | "fee_capture" | "fee_release" | "late_fee_capture";
                        /** @description Signed: a debit is negative */
                        amount: number;
                        /** @description Whole KES */
                        balance_after: number;
                        transaction_id: number | null;
                        reference: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        /** @description The balance after it */
                        balance: number;
                    };
                };
            };
            /** @description A debit of KES 5000 would take the wallet below zero: it holds KES 994 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "A debit of KES 5000 would take the wallet below zero: it holds KES 994",
                     *       "code": "validation_failed",
                     *       "field": "amount",
                     *       "balance": 994
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Merchant 9 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Merchant 9 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminTransactions: {
        parameters: {
            query?: {
                status?: "pending" | "completed" | "failed" | "needs_review";
                account_id?: number;
                type?: "payment" | "wallet_top_up";
                customer_id?: string;
                link_id?: string;
                q?: string;
                from?: string;
                to?: string;
                cursor?: string;
                limit?: number;
                merchant_id?: number;
                environment?: "sandbox" | "production";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of transactions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 42,
                     *         "type": "payment",
                     *         "phone_number": "254712345678",
                     *         "amount": 500,
                     *         "fee_charged": 6,
                     *         "status": "completed",
                     *         "mpesa_receipt": "RGH8KXXXX",
                     *         "external_reference": "INV-001",
                     *         "description": "Order #1001",
                     *         "checkout_request_id": "ws_CO_…",
                     *         "result_code": "0",
                     *         "result_desc": "The service request is processed successfully.",
                     *         "mpesa_amount": 500,
                     *         "mpesa_phone_number": "254712345678",
                     *         "mpesa_transaction_date": "20240615153514",
                     *         "review_reason": null,
                     *         "account_id": 1,
                     *         "account_name": "Till 3118761",
                     *         "channel": "Till - 3118761",
                     *         "customer_id": "cus_4QyZ0f3kR8mWn2Lp7",
                     *         "link_id": null,
                     *         "created_at": "2024-06-15T12:34:56.000Z",
                     *         "completed_at": "2024-06-15T12:35:14.000Z",
                     *         "reversal_status": null,
                     *         "merchant_id": 7,
                     *         "merchant_name": "Duka La Mama",
                     *         "environment": "sandbox"
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        /** @enum {string} */
                        type: "payment" | "wallet_top_up";
                        phone_number: string;
                        /** @description Whole KES */
                        amount: number;
                        /** @description The fee kept: the fee of a completed payment, else 0 */
                        fee_charged: number;
                        /**
                         * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                         * @enum {string}
                         */
                        status: "pending" | "completed" | "failed" | "needs_review";
                        mpesa_receipt: string | null;
                        external_reference: string | null;
                        description: string;
                        checkout_request_id: string | null;
                        result_code: string | null;
                        result_desc: string | null;
                        /** @description The Amount of M-Pesa's callback, as it said it */
                        mpesa_amount: number | null;
                        mpesa_phone_number: string | null;
                        /** @description YYYYMMDDHHmmss, Nairobi time, as M-Pesa sent it */
                        mpesa_transaction_date: string | null;
                        review_reason: string | null;
                        account_id: number | null;
                        account_name: string | null;
                        channel: string | null;
                        customer_id: string | null;
                        /** @description The payment link (`plink_…`) the payment came from; null for every other payment */
                        link_id: string | null;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        completed_at: string | null;
                        /** @description The payment's reversal; null when none was asked for */
                        reversal_status: ("requested" | "reversed" | "failed" | "in_doubt") | null;
                        merchant_id: number;
                        merchant_name: string;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Merchant 9 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Merchant 9 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminPaymentsReview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The payments to review */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "transaction_id": 42,
                     *         "merchant_id": 7,
                     *         "environment": "sandbox",
                     *         "status": "needs_review",
                     *         "review_reason": "M-Pesa's success callback 88 reports KES 1 for a push of KES 9908",
                     *         "amount": 9908,
                     *         "fee": 50,
                     *         "mpesa_amount": 1,
                     *         "mpesa_receipt": "R33MVBMXSF",
                     *         "checkout_request_id": "ws_CO_301120261200001234",
                     *         "evidence_conflicts": [],
                     *         "push": {
                     *           "phone_number": "254712345678",
                     *           "account_reference": "INV-001",
                     *           "push_state": "accepted",
                     *           "created_at": "2026-11-30T12:00:00.000Z"
                     *         },
                     *         "callbacks": [
                     *           {
                     *             "id": 88,
                     *             "received_at": "2026-11-30T12:00:03.000Z",
                     *             "disposition": "signalled",
                     *             "result_code": "0",
                     *             "problems": null,
                     *             "raw_body": "{\"Body\":{\"stkCallback\":{…}}}",
                     *             "parsed": {
                     *               "checkoutRequestId": "ws_CO_301120261200001234",
                     *               "resultCode": "0",
                     *               "resultDesc": "The service request is processed successfully.",
                     *               "receipt": "R33MVBMXSF",
                     *               "amount": 1,
                     *               "phoneNumber": "254708374149",
                     *               "transactionDate": "20261130120003",
                     *               "problems": [],
                     *               "unusable": null
                     *             }
                     *           }
                     *         ],
                     *         "queries": [],
                     *         "mpesa_records": [],
                     *         "proposals": [
                     *           {
                     *             "id": 3,
                     *             "transaction_id": 42,
                     *             "action": "complete",
                     *             "receipt": "R33MVBMXSF",
                     *             "reason": "The org portal statement shows R33MVBMXSF for KES 9,908 at 12:00:03",
                     *             "status": "pending",
                     *             "proposed_by": {
                     *               "id": 1,
                     *               "email": "ops@imarapay.co.ke"
                     *             },
                     *             "proposed_at": "2026-11-30T12:30:00.000Z",
                     *             "decided_by": null,
                     *             "decided_at": null,
                     *             "decision_reason": null,
                     *             "handed_over_at": null
                     *           }
                     *         ]
                     *       }
                     *     ]
                     */
                    "application/json": {
                        transaction_id: number;
                        merchant_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                         * @enum {string}
                         */
                        status: "pending" | "completed" | "failed" | "needs_review";
                        review_reason: string | null;
                        /** @description Whole KES */
                        amount: number;
                        /** @description Whole KES */
                        fee: number;
                        mpesa_amount: number | null;
                        mpesa_receipt: string | null;
                        checkout_request_id: string | null;
                        evidence_conflicts: {
                            /** @enum {string} */
                            kind: "receipt" | "amount" | "invalid";
                            callbackId: number | null;
                            recorded: string | number | null;
                            received: string | number | null;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            at: string;
                        }[];
                        push: {
                            phone_number: string;
                            account_reference: string;
                            /** @enum {string} */
                            push_state: "none" | "sending" | "accepted" | "rejected" | "unconfirmed";
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                        };
                        callbacks: {
                            id: number;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            received_at: string;
                            /** @enum {string} */
                            disposition: "received" | "signalled" | "unmatched" | "malformed" | "mismatched" | "late" | "signal_failed";
                            result_code: string | null;
                            problems: string | null;
                            raw_body: string;
                            /** @description What the review rule read from the body; null when it is not a Daraja callback */
                            parsed: {
                                checkoutRequestId: string | null;
                                resultCode: string;
                                resultDesc: string;
                                receipt: string | null;
                                amount: number | null;
                                phoneNumber: string | null;
                                /** @description YYYYMMDDHHmmss, Nairobi time, as M-Pesa sent it */
                                transactionDate: string | null;
                                problems: string[];
                                unusable: string | null;
                            } | null;
                        }[];
                        queries: {
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            asked_at: string;
                            /** @enum {string} */
                            state: "pending" | "final" | "error";
                            result_code: string | null;
                            result_desc: string | null;
                            error: string | null;
                        }[];
                        mpesa_records: {
                            id: number;
                            /** @enum {string} */
                            source: "transaction_status" | "pull_transactions" | "statement";
                            /** @enum {string} */
                            disposition: "evidence" | "malformed" | "refused" | "queue_timeout" | "unmatched";
                            outcome: ("completed" | "failed" | "not_found") | null;
                            receipt: string | null;
                            amount: number | null;
                            completed_at: string | null;
                            description: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            received_at: string;
                        }[];
                        proposals: {
                            id: number;
                            transaction_id: number;
                            /** @enum {string} */
                            action: "complete" | "fail";
                            /** @description The M-Pesa receipt that proves a `complete`; null for `fail` */
                            receipt: string | null;
                            reason: string;
                            /** @enum {string} */
                            status: "pending" | "approved" | "rejected";
                            proposed_by: {
                                id: number;
                                email: string | null;
                            };
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            proposed_at: string;
                            decided_by: {
                                id: number;
                                email: string | null;
                            } | null;
                            decided_at: string | null;
                            decision_reason: string | null;
                            /** @description When the approved verdict reached the payment's workflow; null while it has not (approve again) */
                            handed_over_at: string | null;
                        }[];
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminPaymentsReviewId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The transaction id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The payment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "transaction_id": 42,
                     *       "merchant_id": 7,
                     *       "environment": "sandbox",
                     *       "status": "needs_review",
                     *       "review_reason": "M-Pesa's success callback 88 reports KES 1 for a push of KES 9908",
                     *       "amount": 9908,
                     *       "fee": 50,
                     *       "mpesa_amount": 1,
                     *       "mpesa_receipt": "R33MVBMXSF",
                     *       "checkout_request_id": "ws_CO_301120261200001234",
                     *       "evidence_conflicts": [],
                     *       "push": {
                     *         "phone_number": "254712345678",
                     *         "account_reference": "INV-001",
                     *         "push_state": "accepted",
                     *         "created_at": "2026-11-30T12:00:00.000Z"
                     *       },
                     *       "callbacks": [
                     *         {
                     *           "id": 88,
                     *           "received_at": "2026-11-30T12:00:03.000Z",
                     *           "disposition": "signalled",
                     *           "result_code": "0",
                     *           "problems": null,
                     *           "raw_body": "{\"Body\":{\"stkCallback\":{…}}}",
                     *           "parsed": {
                     *             "checkoutRequestId": "ws_CO_301120261200001234",
                     *             "resultCode": "0",
                     *             "resultDesc": "The service request is processed successfully.",
                     *             "receipt": "R33MVBMXSF",
                     *             "amount": 1,
                     *             "phoneNumber": "254708374149",
                     *             "transactionDate": "20261130120003",
                     *             "problems": [],
                     *             "unusable": null
                     *           }
                     *         }
                     *       ],
                     *       "queries": [],
                     *       "mpesa_records": [],
                     *       "proposals": [
                     *         {
                     *           "id": 3,
                     *           "transaction_id": 42,
                     *           "action": "complete",
                     *           "receipt": "R33MVBMXSF",
                     *           "reason": "The org portal statement shows R33MVBMXSF for KES 9,908 at 12:00:03",
                     *           "status": "pending",
                     *           "proposed_by": {
                     *             "id": 1,
                     *             "email": "ops@imarapay.co.ke"
                     *           },
                     *           "proposed_at": "2026-11-30T12:30:00.000Z",
                     *           "decided_by": null,
                     *           "decided_at": null,
                     *           "decision_reason": null,
                     *           "handed_over_at": null
                     *         }
                     *       ],
                     *       "timeline": [
                     *         {
                     *           "at": "2026-11-30T12:00:03.100Z",
                     *           "kind": "settled",
                     *           "title": "M-Pesa reported a payment; ImaraPay is verifying it",
                     *           "detail": "M-Pesa's success callback 88 reports KES 1 for a push of KES 9908"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        transaction_id: number;
                        merchant_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                         * @enum {string}
                         */
                        status: "pending" | "completed" | "failed" | "needs_review";
                        review_reason: string | null;
                        /** @description Whole KES */
                        amount: number;
                        /** @description Whole KES */
                        fee: number;
                        mpesa_amount: number | null;
                        mpesa_receipt: string | null;
                        checkout_request_id: string | null;
                        evidence_conflicts: {
                            /** @enum {string} */
                            kind: "receipt" | "amount" | "invalid";
                            callbackId: number | null;
                            recorded: string | number | null;
                            received: string | number | null;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            at: string;
                        }[];
                        push: {
                            phone_number: string;
                            account_reference: string;
                            /** @enum {string} */
                            push_state: "none" | "sending" | "accepted" | "rejected" | "unconfirmed";
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                        };
                        callbacks: {
                            id: number;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            received_at: string;
                            /** @enum {string} */
                            disposition: "received" | "signalled" | "unmatched" | "malformed" | "mismatched" | "late" | "signal_failed";
                            result_code: string | null;
                            problems: string | null;
                            raw_body: string;
                            /** @description What the review rule read from the body; null when it is not a Daraja callback */
                            parsed: {
                                checkoutRequestId: string | null;
                                resultCode: string;
                                resultDesc: string;
                                receipt: string | null;
                                amount: number | null;
                                phoneNumber: string | null;
                                /** @description YYYYMMDDHHmmss, Nairobi time, as M-Pesa sent it */
                                transactionDate: string | null;
                                problems: string[];
                                unusable: string | null;
                            } | null;
                        }[];
                        queries: {
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            asked_at: string;
                            /** @enum {string} */
                            state: "pending" | "final" | "error";
                            result_code: string | null;
                            result_desc: string | null;
                            error: string | null;
                        }[];
                        mpesa_records: {
                            id: number;
                            /** @enum {string} */
                            source: "transaction_status" | "pull_transactions" | "statement";
                            /** @enum {string} */
                            disposition: "evidence" | "malformed" | "refused" | "queue_timeout" | "unmatched";
                            outcome: ("completed" | "failed" | "not_found") | null;
                            receipt: string | null;
                            amount: number | null;
                            completed_at: string | null;
                            description: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            received_at: string;
                        }[];
                        proposals: {
                            id: number;
                            transaction_id: number;
                            /** @enum {string} */
                            action: "complete" | "fail";
                            /** @description The M-Pesa receipt that proves a `complete`; null for `fail` */
                            receipt: string | null;
                            reason: string;
                            /** @enum {string} */
                            status: "pending" | "approved" | "rejected";
                            proposed_by: {
                                id: number;
                                email: string | null;
                            };
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            proposed_at: string;
                            decided_by: {
                                id: number;
                                email: string | null;
                            } | null;
                            decided_at: string | null;
                            decision_reason: string | null;
                            /** @description When the approved verdict reached the payment's workflow; null while it has not (approve again) */
                            handed_over_at: string | null;
                        }[];
                        timeline: {
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            at: string;
                            /** @enum {string} */
                            kind: "created" | "fee_reserved" | "push_accepted" | "push_refused" | "push_unconfirmed" | "callback_received" | "status_query" | "fee_captured" | "fee_released" | "late_fee_captured" | "wallet_credited" | "settled" | "webhook_attempt" | "reversal_requested" | "reversal_evidence" | "reversal_settled";
                            title: string;
                            detail: string | null;
                        }[];
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Transaction 42 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Transaction 42 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAdminPaymentsIdReviewProposals: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The transaction id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    action: "complete" | "fail";
                    /** @description The M-Pesa receipt that proves the payment; required to complete, absent to fail */
                    receipt?: string | null;
                    reason: string;
                };
            };
        };
        responses: {
            /** @description The pending proposal */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 3,
                     *       "transaction_id": 42,
                     *       "action": "complete",
                     *       "receipt": "R33MVBMXSF",
                     *       "reason": "The org portal statement shows R33MVBMXSF for KES 9,908 at 12:00:03",
                     *       "status": "pending",
                     *       "proposed_by": {
                     *         "id": 1,
                     *         "email": "ops@imarapay.co.ke"
                     *       },
                     *       "proposed_at": "2026-11-30T12:30:00.000Z",
                     *       "decided_by": null,
                     *       "decided_at": null,
                     *       "decision_reason": null,
                     *       "handed_over_at": null
                     *     }
                     */
                    "application/json": {
                        id: number;
                        transaction_id: number;
                        /** @enum {string} */
                        action: "complete" | "fail";
                        /** @description The M-Pesa receipt that proves a `complete`; null for `fail` */
                        receipt: string | null;
                        reason: string;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected";
                        proposed_by: {
                            id: number;
                            email: string | null;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        proposed_at: string;
                        decided_by: {
                            id: number;
                            email: string | null;
                        } | null;
                        decided_at: string | null;
                        decision_reason: string | null;
                        /** @description When the approved verdict reached the payment's workflow; null while it has not (approve again) */
                        handed_over_at: string | null;
                    };
                };
            };
            /** @description receipt is required to complete a payment */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "receipt is required to complete a payment",
                     *       "code": "validation_failed",
                     *       "field": "receipt"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Transaction 42 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Transaction 42 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment 42 already has a proposal waiting for approval; approve or reject it first */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment 42 already has a proposal waiting for approval; approve or reject it first",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAdminReviewProposalsIdApprove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The proposal id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description The approved proposal */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 3,
                     *       "transaction_id": 42,
                     *       "action": "complete",
                     *       "receipt": "R33MVBMXSF",
                     *       "reason": "The org portal statement shows R33MVBMXSF for KES 9,908 at 12:00:03",
                     *       "status": "approved",
                     *       "proposed_by": {
                     *         "id": 1,
                     *         "email": "ops@imarapay.co.ke"
                     *       },
                     *       "proposed_at": "2026-11-30T12:30:00.000Z",
                     *       "decided_by": {
                     *         "id": 2,
                     *         "email": "lead@imarapay.co.ke"
                     *       },
                     *       "decided_at": "2026-11-30T12:40:00.000Z",
                     *       "decision_reason": null,
                     *       "handed_over_at": "2026-11-30T12:40:00.050Z"
                     *     }
                     */
                    "application/json": {
                        id: number;
                        transaction_id: number;
                        /** @enum {string} */
                        action: "complete" | "fail";
                        /** @description The M-Pesa receipt that proves a `complete`; null for `fail` */
                        receipt: string | null;
                        reason: string;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected";
                        proposed_by: {
                            id: number;
                            email: string | null;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        proposed_at: string;
                        decided_by: {
                            id: number;
                            email: string | null;
                        } | null;
                        decided_at: string | null;
                        decision_reason: string | null;
                        /** @description When the approved verdict reached the payment's workflow; null while it has not (approve again) */
                        handed_over_at: string | null;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A resolution moves money: a second admin must approve it, not the one who proposed it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "A resolution moves money: a second admin must approve it, not the one who proposed it",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Review proposal 3 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Review proposal 3 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Review proposal 3 was rejected; propose again */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Review proposal 3 was rejected; propose again",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The approval of proposal 3 is recorded, but the payment could not be reached: approve it again shortly */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "The approval of proposal 3 is recorded, but the payment could not be reached: approve it again shortly",
                     *       "code": "temporarily_unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAdminReviewProposalsIdReject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The proposal id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description The rejected proposal */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 3,
                     *       "transaction_id": 42,
                     *       "action": "complete",
                     *       "receipt": "R33MVBMXSF",
                     *       "reason": "The org portal statement shows R33MVBMXSF for KES 9,908 at 12:00:03",
                     *       "status": "rejected",
                     *       "proposed_by": {
                     *         "id": 1,
                     *         "email": "ops@imarapay.co.ke"
                     *       },
                     *       "proposed_at": "2026-11-30T12:30:00.000Z",
                     *       "decided_by": {
                     *         "id": 2,
                     *         "email": "lead@imarapay.co.ke"
                     *       },
                     *       "decided_at": "2026-11-30T12:40:00.000Z",
                     *       "decision_reason": "The statement line is another customer’s payment",
                     *       "handed_over_at": null
                     *     }
                     */
                    "application/json": {
                        id: number;
                        transaction_id: number;
                        /** @enum {string} */
                        action: "complete" | "fail";
                        /** @description The M-Pesa receipt that proves a `complete`; null for `fail` */
                        receipt: string | null;
                        reason: string;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected";
                        proposed_by: {
                            id: number;
                            email: string | null;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        proposed_at: string;
                        decided_by: {
                            id: number;
                            email: string | null;
                        } | null;
                        decided_at: string | null;
                        decision_reason: string | null;
                        /** @description When the approved verdict reached the payment's workflow; null while it has not (approve again) */
                        handed_over_at: string | null;
                    };
                };
            };
            /** @description reason is required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "reason is required",
                     *       "code": "validation_failed",
                     *       "field": "reason"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Review proposal 3 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Review proposal 3 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Review proposal 3 was already approved */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Review proposal 3 was already approved",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminReconciliation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Runs and open findings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "runs": [
                     *         {
                     *           "id": 42,
                     *           "workflow_id": "imarapay-reconciliation-2026-11-30T12:00:00Z",
                     *           "started_at": "2026-11-30T12:00:00.120Z",
                     *           "finished_at": "2026-11-30T12:00:00.870Z",
                     *           "findings": [
                     *             {
                     *               "kind": "orphan_started",
                     *               "count": 1,
                     *               "repaired": true,
                     *               "id_kind": "transaction",
                     *               "ids": [
                     *                 1042
                     *               ]
                     *             }
                     *           ]
                     *         }
                     *       ],
                     *       "open_findings": [
                     *         {
                     *           "kind": "webhook_given_up",
                     *           "count": 2,
                     *           "repaired": false,
                     *           "id_kind": "transaction",
                     *           "ids": [
                     *             977,
                     *             981
                     *           ]
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        runs: {
                            id: number;
                            workflow_id: string;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            started_at: string;
                            /** @description Null while it runs */
                            finished_at: string | null;
                            findings: {
                                /** @enum {string} */
                                kind: "callback_redriven" | "orphan_started" | "orphan_ended" | "payment_overdue" | "webhook_given_up" | "wallet_ledger_mismatch" | "mpesa_record_found" | "mpesa_record_disagrees" | "mpesa_record_unreachable" | "statement_credit_for_failed_payment" | "statement_mpesa_only" | "statement_imarapay_only" | "statement_amount_differs" | "reversal_orphan_started";
                                count: number;
                                repaired: boolean;
                                /**
                                 * @description Which rows `ids` name
                                 * @enum {string}
                                 */
                                id_kind: "transaction" | "callback" | "merchant" | "statement_line";
                                /** @description Up to 20 of them */
                                ids: number[];
                            }[];
                        }[];
                        open_findings: {
                            /** @enum {string} */
                            kind: "callback_redriven" | "orphan_started" | "orphan_ended" | "payment_overdue" | "webhook_given_up" | "wallet_ledger_mismatch" | "mpesa_record_found" | "mpesa_record_disagrees" | "mpesa_record_unreachable" | "statement_credit_for_failed_payment" | "statement_mpesa_only" | "statement_imarapay_only" | "statement_amount_differs" | "reversal_orphan_started";
                            count: number;
                            repaired: boolean;
                            /**
                             * @description Which rows `ids` name
                             * @enum {string}
                             */
                            id_kind: "transaction" | "callback" | "merchant" | "statement_line";
                            /** @description Up to 20 of them */
                            ids: number[];
                        }[];
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiReconciliationStatements: {
        parameters: {
            query?: {
                /** @description Only reports of this channel */
                channel_id?: number;
                /** @description How many, newest first */
                limit?: number;
                /** @description The X-Next-Cursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Reports, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 12,
                     *         "merchant_id": 3,
                     *         "business_name": "Acme Shop",
                     *         "channel_id": 5,
                     *         "channel_name": "Main till",
                     *         "party_b": "174379",
                     *         "environment": "production",
                     *         "day": "2026-12-07",
                     *         "source": "statement",
                     *         "matched": 41,
                     *         "mpesa_only": 1,
                     *         "imarapay_only": 0,
                     *         "amount_differs": 0,
                     *         "ignored": 0,
                     *         "created_at": "2026-12-08T06:12:00.000Z",
                     *         "superseded": false
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        merchant_id: number;
                        business_name: string;
                        channel_id: number;
                        channel_name: string;
                        party_b: string;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date
                         * @description A day, YYYY-MM-DD (Nairobi)
                         */
                        day: string;
                        /** @enum {string} */
                        source: "statement" | "pull_transactions";
                        matched: number;
                        mpesa_only: number;
                        imarapay_only: number;
                        amount_differs: number;
                        ignored: number;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        /** @description Whether a newer report of the same channel and day replaced this one */
                        superseded: boolean;
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiReconciliationStatements: {
        parameters: {
            query: {
                /** @description Your payment channel (till or paybill) the statement is of */
                channel_id: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The reports, one per day */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "reports": [
                     *         {
                     *           "id": 12,
                     *           "merchant_id": 3,
                     *           "business_name": "Acme Shop",
                     *           "channel_id": 5,
                     *           "channel_name": "Main till",
                     *           "party_b": "174379",
                     *           "environment": "production",
                     *           "day": "2026-12-07",
                     *           "source": "statement",
                     *           "matched": 41,
                     *           "mpesa_only": 1,
                     *           "imarapay_only": 0,
                     *           "amount_differs": 0,
                     *           "ignored": 0,
                     *           "created_at": "2026-12-08T06:12:00.000Z",
                     *           "superseded": false
                     *         }
                     *       ],
                     *       "credits": 42,
                     *       "skipped": 3
                     *     }
                     */
                    "application/json": {
                        reports: {
                            id: number;
                            merchant_id: number;
                            business_name: string;
                            channel_id: number;
                            channel_name: string;
                            party_b: string;
                            /** @enum {string} */
                            environment: "sandbox" | "production";
                            /**
                             * Format: date
                             * @description A day, YYYY-MM-DD (Nairobi)
                             */
                            day: string;
                            /** @enum {string} */
                            source: "statement" | "pull_transactions";
                            matched: number;
                            mpesa_only: number;
                            imarapay_only: number;
                            amount_differs: number;
                            ignored: number;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                            /** @description Whether a newer report of the same channel and day replaced this one */
                            superseded: boolean;
                        }[];
                        /** @description Completed credits read from the statement */
                        credits: number;
                        /** @description Lines that were not completed credits (withdrawals, charges, failed lines) */
                        skipped: number;
                    };
                };
            };
            /** @description Row 7: Paid In 10.50 is not whole shillings */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Row 7: Paid In 10.50 is not whole shillings",
                     *       "code": "validation_failed",
                     *       "row": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Channel 5 was not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Channel 5 was not found",
                     *       "code": "not_found",
                     *       "field": "channel_id"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiReconciliationPulls: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Your payment channel (till or paybill) whose M-Pesa credits are pulled */
                    channel_id: number;
                    /** @description The Nairobi calendar day to reconcile (default: today's); M-Pesa lists only the last 48 hours */
                    day?: string;
                };
            };
        };
        responses: {
            /** @description The day's report */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "report": {
                     *         "id": 12,
                     *         "merchant_id": 3,
                     *         "business_name": "Acme Shop",
                     *         "channel_id": 5,
                     *         "channel_name": "Main till",
                     *         "party_b": "174379",
                     *         "environment": "production",
                     *         "day": "2026-12-07",
                     *         "source": "pull_transactions",
                     *         "matched": 41,
                     *         "mpesa_only": 1,
                     *         "imarapay_only": 0,
                     *         "amount_differs": 0,
                     *         "ignored": 0,
                     *         "created_at": "2026-12-08T06:12:00.000Z",
                     *         "superseded": false
                     *       },
                     *       "credits": 42,
                     *       "unreadable": 0
                     *     }
                     */
                    "application/json": {
                        report: {
                            id: number;
                            merchant_id: number;
                            business_name: string;
                            channel_id: number;
                            channel_name: string;
                            party_b: string;
                            /** @enum {string} */
                            environment: "sandbox" | "production";
                            /**
                             * Format: date
                             * @description A day, YYYY-MM-DD (Nairobi)
                             */
                            day: string;
                            /** @enum {string} */
                            source: "statement" | "pull_transactions";
                            matched: number;
                            mpesa_only: number;
                            imarapay_only: number;
                            amount_differs: number;
                            ignored: number;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                            /** @description Whether a newer report of the same channel and day replaced this one */
                            superseded: boolean;
                        };
                        /** @description Credits M-Pesa listed for the channel's shortcode on the day */
                        credits: number;
                        /** @description Listed rows that could not be read (no time, a fraction of a shilling): counted, never matched */
                        unreadable: number;
                    };
                };
            };
            /** @description M-Pesa's Pull Transactions lists only the last 48 hours */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "M-Pesa's Pull Transactions lists only the last 48 hours",
                     *       "code": "validation_failed",
                     *       "field": "day"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Channel 5 was not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Channel 5 was not found",
                     *       "code": "not_found",
                     *       "field": "channel_id"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Daraja is not configured for the environment, refused, or could not be reached; nothing was stored */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "M-Pesa's Pull Transactions did not answer: Daraja pull_query refused",
                     *       "code": "daraja_unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiReconciliationStatementsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The report id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 12,
                     *       "merchant_id": 3,
                     *       "business_name": "Acme Shop",
                     *       "channel_id": 5,
                     *       "channel_name": "Main till",
                     *       "party_b": "174379",
                     *       "environment": "production",
                     *       "day": "2026-12-07",
                     *       "source": "statement",
                     *       "matched": 41,
                     *       "mpesa_only": 1,
                     *       "imarapay_only": 0,
                     *       "amount_differs": 0,
                     *       "ignored": 0,
                     *       "created_at": "2026-12-08T06:12:00.000Z",
                     *       "superseded": false,
                     *       "lines": [
                     *         {
                     *           "class": "matched",
                     *           "receipt": "UL7A1B2C3D",
                     *           "completed_at": "2026-12-07T07:00:30.000Z",
                     *           "amount": 1250,
                     *           "account_reference": "SHOP1",
                     *           "payer": "2547******678 - J*** D**",
                     *           "details": "Pay Bill Online",
                     *           "transaction_id": 1042,
                     *           "payment_amount": 1250,
                     *           "payment_status": "completed",
                     *           "matched_by": "receipt",
                     *           "certain": true
                     *         },
                     *         {
                     *           "class": "mpesa_only",
                     *           "receipt": "UL7E5F6G7H",
                     *           "completed_at": "2026-12-07T09:14:02.000Z",
                     *           "amount": 500,
                     *           "account_reference": "SHOP1",
                     *           "payer": "2547******123",
                     *           "details": "Pay Bill Online",
                     *           "transaction_id": 1057,
                     *           "payment_amount": 500,
                     *           "payment_status": "failed",
                     *           "matched_by": "amount_reference_time",
                     *           "certain": true
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        id: number;
                        merchant_id: number;
                        business_name: string;
                        channel_id: number;
                        channel_name: string;
                        party_b: string;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date
                         * @description A day, YYYY-MM-DD (Nairobi)
                         */
                        day: string;
                        /** @enum {string} */
                        source: "statement" | "pull_transactions";
                        matched: number;
                        mpesa_only: number;
                        imarapay_only: number;
                        amount_differs: number;
                        ignored: number;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        /** @description Whether a newer report of the same channel and day replaced this one */
                        superseded: boolean;
                        lines: {
                            /** @enum {string} */
                            class: "matched" | "mpesa_only" | "imarapay_only" | "amount_differs";
                            receipt: string | null;
                            completed_at: string | null;
                            amount: number | null;
                            account_reference: string | null;
                            /** @description As M-Pesa shows it: masked */
                            payer: string | null;
                            details: string | null;
                            transaction_id: number | null;
                            payment_amount: number | null;
                            payment_status: string | null;
                            matched_by: ("receipt" | "amount_reference_time") | null;
                            certain: boolean;
                        }[];
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such report among yours (another merchant's answers the same) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Statement report 12 was not found",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiReconciliationStatementsIdCsv: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The report id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/csv attachment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example class,receipt,completed_at,amount,account_reference,payer,details,transaction_id,payment_amount,payment_status,matched_by,certain
                     *     matched,UL7A1B2C3D,2026-12-07T07:00:30.000Z,1250,SHOP1,2547******678 - J*** D**,Pay Bill Online,1042,1250,completed,receipt,true
                     */
                    "text/csv": string;
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such report among yours (another merchant's answers the same) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Statement report 12 was not found",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminReconciliationStatements: {
        parameters: {
            query?: {
                /** @description Only reports of this channel */
                channel_id?: number;
                /** @description How many, newest first */
                limit?: number;
                /** @description The X-Next-Cursor of the previous page */
                cursor?: string;
                /** @description Only this merchant's reports */
                merchant_id?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Reports, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 12,
                     *         "merchant_id": 3,
                     *         "business_name": "Acme Shop",
                     *         "channel_id": 5,
                     *         "channel_name": "Main till",
                     *         "party_b": "174379",
                     *         "environment": "production",
                     *         "day": "2026-12-07",
                     *         "source": "statement",
                     *         "matched": 41,
                     *         "mpesa_only": 1,
                     *         "imarapay_only": 0,
                     *         "amount_differs": 0,
                     *         "ignored": 0,
                     *         "created_at": "2026-12-08T06:12:00.000Z",
                     *         "superseded": false
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        merchant_id: number;
                        business_name: string;
                        channel_id: number;
                        channel_name: string;
                        party_b: string;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date
                         * @description A day, YYYY-MM-DD (Nairobi)
                         */
                        day: string;
                        /** @enum {string} */
                        source: "statement" | "pull_transactions";
                        matched: number;
                        mpesa_only: number;
                        imarapay_only: number;
                        amount_differs: number;
                        ignored: number;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        /** @description Whether a newer report of the same channel and day replaced this one */
                        superseded: boolean;
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiAdminReconciliationPulls: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Any merchant's payment channel */
                    channel_id: number;
                    /** @description The Nairobi calendar day to reconcile (default: today's); M-Pesa lists only the last 48 hours */
                    day?: string;
                    /**
                     * @description Whose M-Pesa record and payments: the sandbox's or production's
                     * @enum {string}
                     */
                    environment: "sandbox" | "production";
                };
            };
        };
        responses: {
            /** @description The day's report */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "report": {
                     *         "id": 12,
                     *         "merchant_id": 3,
                     *         "business_name": "Acme Shop",
                     *         "channel_id": 5,
                     *         "channel_name": "Main till",
                     *         "party_b": "174379",
                     *         "environment": "production",
                     *         "day": "2026-12-07",
                     *         "source": "pull_transactions",
                     *         "matched": 41,
                     *         "mpesa_only": 1,
                     *         "imarapay_only": 0,
                     *         "amount_differs": 0,
                     *         "ignored": 0,
                     *         "created_at": "2026-12-08T06:12:00.000Z",
                     *         "superseded": false
                     *       },
                     *       "credits": 42,
                     *       "unreadable": 0
                     *     }
                     */
                    "application/json": {
                        report: {
                            id: number;
                            merchant_id: number;
                            business_name: string;
                            channel_id: number;
                            channel_name: string;
                            party_b: string;
                            /** @enum {string} */
                            environment: "sandbox" | "production";
                            /**
                             * Format: date
                             * @description A day, YYYY-MM-DD (Nairobi)
                             */
                            day: string;
                            /** @enum {string} */
                            source: "statement" | "pull_transactions";
                            matched: number;
                            mpesa_only: number;
                            imarapay_only: number;
                            amount_differs: number;
                            ignored: number;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                            /** @description Whether a newer report of the same channel and day replaced this one */
                            superseded: boolean;
                        };
                        /** @description Credits M-Pesa listed for the channel's shortcode on the day */
                        credits: number;
                        /** @description Listed rows that could not be read (no time, a fraction of a shilling): counted, never matched */
                        unreadable: number;
                    };
                };
            };
            /** @description environment must be sandbox or production */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "environment must be sandbox or production",
                     *       "code": "validation_failed",
                     *       "field": "environment"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Channel 5 was not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Channel 5 was not found",
                     *       "code": "not_found",
                     *       "field": "channel_id"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Daraja is not configured for the environment, refused, or could not be reached; nothing was stored */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "M-Pesa's Pull Transactions did not answer: Daraja pull_query refused",
                     *       "code": "daraja_unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminReconciliationStatementsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The report id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 12,
                     *       "merchant_id": 3,
                     *       "business_name": "Acme Shop",
                     *       "channel_id": 5,
                     *       "channel_name": "Main till",
                     *       "party_b": "174379",
                     *       "environment": "production",
                     *       "day": "2026-12-07",
                     *       "source": "statement",
                     *       "matched": 41,
                     *       "mpesa_only": 1,
                     *       "imarapay_only": 0,
                     *       "amount_differs": 0,
                     *       "ignored": 0,
                     *       "created_at": "2026-12-08T06:12:00.000Z",
                     *       "superseded": false,
                     *       "lines": [
                     *         {
                     *           "class": "matched",
                     *           "receipt": "UL7A1B2C3D",
                     *           "completed_at": "2026-12-07T07:00:30.000Z",
                     *           "amount": 1250,
                     *           "account_reference": "SHOP1",
                     *           "payer": "2547******678 - J*** D**",
                     *           "details": "Pay Bill Online",
                     *           "transaction_id": 1042,
                     *           "payment_amount": 1250,
                     *           "payment_status": "completed",
                     *           "matched_by": "receipt",
                     *           "certain": true
                     *         },
                     *         {
                     *           "class": "mpesa_only",
                     *           "receipt": "UL7E5F6G7H",
                     *           "completed_at": "2026-12-07T09:14:02.000Z",
                     *           "amount": 500,
                     *           "account_reference": "SHOP1",
                     *           "payer": "2547******123",
                     *           "details": "Pay Bill Online",
                     *           "transaction_id": 1057,
                     *           "payment_amount": 500,
                     *           "payment_status": "failed",
                     *           "matched_by": "amount_reference_time",
                     *           "certain": true
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        id: number;
                        merchant_id: number;
                        business_name: string;
                        channel_id: number;
                        channel_name: string;
                        party_b: string;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * Format: date
                         * @description A day, YYYY-MM-DD (Nairobi)
                         */
                        day: string;
                        /** @enum {string} */
                        source: "statement" | "pull_transactions";
                        matched: number;
                        mpesa_only: number;
                        imarapay_only: number;
                        amount_differs: number;
                        ignored: number;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                        /** @description Whether a newer report of the same channel and day replaced this one */
                        superseded: boolean;
                        lines: {
                            /** @enum {string} */
                            class: "matched" | "mpesa_only" | "imarapay_only" | "amount_differs";
                            receipt: string | null;
                            completed_at: string | null;
                            amount: number | null;
                            account_reference: string | null;
                            /** @description As M-Pesa shows it: masked */
                            payer: string | null;
                            details: string | null;
                            transaction_id: number | null;
                            payment_amount: number | null;
                            payment_status: string | null;
                            matched_by: ("receipt" | "amount_reference_time") | null;
                            certain: boolean;
                        }[];
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such report among yours (another merchant's answers the same) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Statement report 12 was not found",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminReconciliationStatementsIdCsv: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The report id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/csv attachment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example class,receipt,completed_at,amount,account_reference,payer,details,transaction_id,payment_amount,payment_status,matched_by,certain
                     *     matched,UL7A1B2C3D,2026-12-07T07:00:30.000Z,1250,SHOP1,2547******678 - J*** D**,Pay Bill Online,1042,1250,completed,receipt,true
                     */
                    "text/csv": string;
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such report among yours (another merchant's answers the same) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Statement report 12 was not found",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiTransactionsIdTimeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The transaction_id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The transaction and its events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "transaction": {
                     *         "id": 42,
                     *         "type": "payment",
                     *         "phone_number": "254712345678",
                     *         "amount": 500,
                     *         "fee_charged": 6,
                     *         "status": "completed",
                     *         "mpesa_receipt": "RGH8KXXXX",
                     *         "external_reference": "INV-001",
                     *         "description": "Order #1001",
                     *         "checkout_request_id": "ws_CO_…",
                     *         "result_code": "0",
                     *         "result_desc": "The service request is processed successfully.",
                     *         "mpesa_amount": 500,
                     *         "mpesa_phone_number": "254712345678",
                     *         "mpesa_transaction_date": "20240615153514",
                     *         "review_reason": null,
                     *         "account_id": 1,
                     *         "account_name": "Till 3118761",
                     *         "channel": "Till - 3118761",
                     *         "customer_id": "cus_4QyZ0f3kR8mWn2Lp7",
                     *         "link_id": null,
                     *         "created_at": "2024-06-15T12:34:56.000Z",
                     *         "completed_at": "2024-06-15T12:35:14.000Z",
                     *         "reversal_status": null,
                     *         "environment": "sandbox",
                     *         "workflow_id": "payment-42",
                     *         "decided_by": "callback"
                     *       },
                     *       "events": [
                     *         {
                     *           "at": "2024-06-15T12:34:56.000Z",
                     *           "kind": "created",
                     *           "title": "STK push of KES 500 to 254712345678",
                     *           "detail": "Reference INV-001"
                     *         },
                     *         {
                     *           "at": "2024-06-15T12:34:56.100Z",
                     *           "kind": "fee_reserved",
                     *           "title": "Fee of KES 6 reserved from the service wallet",
                     *           "detail": null
                     *         },
                     *         {
                     *           "at": "2024-06-15T12:34:56.100Z",
                     *           "kind": "push_accepted",
                     *           "title": "M-Pesa accepted the push: the prompt is on the customer’s phone",
                     *           "detail": "ws_CO_…"
                     *         },
                     *         {
                     *           "at": "2024-06-15T12:35:14.000Z",
                     *           "kind": "callback_received",
                     *           "title": "Daraja callback received: ResultCode 0 (signalled)",
                     *           "detail": "The service request is processed successfully."
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        transaction: {
                            id: number;
                            /** @enum {string} */
                            type: "payment" | "wallet_top_up";
                            phone_number: string;
                            /** @description Whole KES */
                            amount: number;
                            /** @description The fee kept: the fee of a completed payment, else 0 */
                            fee_charged: number;
                            /**
                             * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                             * @enum {string}
                             */
                            status: "pending" | "completed" | "failed" | "needs_review";
                            mpesa_receipt: string | null;
                            external_reference: string | null;
                            description: string;
                            checkout_request_id: string | null;
                            result_code: string | null;
                            result_desc: string | null;
                            /** @description The Amount of M-Pesa's callback, as it said it */
                            mpesa_amount: number | null;
                            mpesa_phone_number: string | null;
                            /** @description YYYYMMDDHHmmss, Nairobi time, as M-Pesa sent it */
                            mpesa_transaction_date: string | null;
                            review_reason: string | null;
                            account_id: number | null;
                            account_name: string | null;
                            channel: string | null;
                            customer_id: string | null;
                            /** @description The payment link (`plink_…`) the payment came from; null for every other payment */
                            link_id: string | null;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                            completed_at: string | null;
                            /** @description The payment's reversal; null when none was asked for */
                            reversal_status: ("requested" | "reversed" | "failed" | "in_doubt") | null;
                            /** @enum {string} */
                            environment: "sandbox" | "production";
                            workflow_id: string;
                            /** @description What settled the payment (callback, query, …); null while pending */
                            decided_by: string | null;
                        };
                        events: {
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            at: string;
                            /** @enum {string} */
                            kind: "created" | "fee_reserved" | "push_accepted" | "push_refused" | "push_unconfirmed" | "callback_received" | "status_query" | "fee_captured" | "fee_released" | "late_fee_captured" | "wallet_credited" | "settled" | "webhook_attempt" | "reversal_requested" | "reversal_evidence" | "reversal_settled";
                            title: string;
                            detail: string | null;
                        }[];
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Transaction 42 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Transaction 42 does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminOverviewPaymentsPerMinute: {
        parameters: {
            query?: {
                /** @description How far back, in minutes (default 60) */
                minutes?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One row per minute, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "minute": "2024-06-15T12:34:00Z",
                     *         "completed": 12,
                     *         "failed": 2,
                     *         "pending": 1
                     *       }
                     *     ]
                     */
                    "application/json": {
                        /** @description The minute's start, UTC (YYYY-MM-DDTHH:MM:00Z) */
                        minute: string;
                        completed: number;
                        failed: number;
                        pending: number;
                    }[];
                };
            };
            /** @description minutes must be 5 to 1440 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "minutes must be 5 to 1440",
                     *       "code": "validation_failed",
                     *       "field": "minutes"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiMePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    current_password: string;
                    new_password: string;
                };
            };
        };
        responses: {
            /** @description Changed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description current_password is not your password */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "current_password is not your password",
                     *       "code": "validation_failed",
                     *       "field": "current_password"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiMeTwoFactor: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The state of two-step sign-in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "enabled": true,
                     *       "enabled_at": "2026-12-07T09:00:00.000Z",
                     *       "recovery_codes_left": 9
                     *     }
                     */
                    "application/json": {
                        enabled: boolean;
                        enabled_at: string | null;
                        /** @description Unused recovery codes; 0 when two-step sign-in is off */
                        recovery_codes_left: number;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiMeTwoFactorSetup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The secret to add to the app */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                     *       "otpauth_url": "otpauth://totp/ImaraPay:owner%40mamamboga.co.ke?issuer=ImaraPay&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30",
                     *       "qr_code": "data:image/png;base64,iVBORw0KGgo…"
                     *     }
                     */
                    "application/json": {
                        /** @description Base32, for typing into the app by hand */
                        secret: string;
                        /** @description The otpauth:// URL (Key Uri Format) */
                        otpauth_url: string;
                        /** @description A PNG data: URL of a QR code of otpauth_url */
                        qr_code: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Two-step sign-in is already on: turn it off first to set up another app */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Two-step sign-in is already on: turn it off first to set up another app",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiMeTwoFactorEnable: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description On; the recovery codes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "recovery_codes": [
                     *         "k7m2p-x9q4r",
                     *         "a3b8c-d2e6f"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        recovery_codes: string[];
                    };
                };
            };
            /** @description code is not the current code of the authenticator app */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "code is not the current code of the authenticator app",
                     *       "code": "validation_failed",
                     *       "field": "code"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Start with POST /api/me/two-factor/setup: no authenticator app is being set up */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Start with POST /api/me/two-factor/setup: no authenticator app is being set up",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiMeTwoFactorDisable: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                    code: string;
                };
            };
        };
        responses: {
            /** @description Off */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description code is not a current code or an unused recovery code */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "code is not a current code or an unused recovery code",
                     *       "code": "validation_failed",
                     *       "field": "code"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Two-step sign-in is not on */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Two-step sign-in is not on",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAdminAudit: {
        parameters: {
            query?: {
                action?: string;
                actor?: string;
                from?: string;
                to?: string;
                limit?: number;
                cursor?: string;
                merchant_id?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 412,
                     *         "occurred_at": "2026-12-07T09:15:02.114Z",
                     *         "action": "callback_url.changed",
                     *         "actor": {
                     *           "type": "merchant",
                     *           "id": 7,
                     *           "label": "owner@mamamboga.co.ke"
                     *         },
                     *         "merchant_id": 5,
                     *         "subject": {
                     *           "type": "merchant",
                     *           "id": "5"
                     *         },
                     *         "ip": "197.232.61.10",
                     *         "details": {
                     *           "before": "https://shop.example/old-hook",
                     *           "after": "https://shop.example/imarapay"
                     *         }
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        occurred_at: string;
                        /** @description Such as login.failed or wallet.adjusted */
                        action: string;
                        actor: {
                            /** @enum {string} */
                            type: "admin" | "merchant" | "api_key" | "system" | "anonymous";
                            id: number | null;
                            label: string | null;
                        };
                        merchant_id: number | null;
                        subject: {
                            type: string;
                            id: string | null;
                        } | null;
                        ip: string | null;
                        /** @description What changed (never a secret) */
                        details: {
                            [key: string]: unknown;
                        };
                    }[];
                };
            };
            /** @description action must be an action name such as login.failed or wallet.adjusted */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "action must be an action name such as login.failed or wallet.adjusted",
                     *       "code": "validation_failed",
                     *       "field": "action"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for ImaraPay admins */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for ImaraPay admins",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiAudit: {
        parameters: {
            query?: {
                action?: string;
                actor?: string;
                from?: string;
                to?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 412,
                     *         "occurred_at": "2026-12-07T09:15:02.114Z",
                     *         "action": "callback_url.changed",
                     *         "actor": {
                     *           "type": "merchant",
                     *           "id": 7,
                     *           "label": "owner@mamamboga.co.ke"
                     *         },
                     *         "merchant_id": 5,
                     *         "subject": {
                     *           "type": "merchant",
                     *           "id": "5"
                     *         },
                     *         "ip": "197.232.61.10",
                     *         "details": {
                     *           "before": "https://shop.example/old-hook",
                     *           "after": "https://shop.example/imarapay"
                     *         }
                     *       }
                     *     ]
                     */
                    "application/json": {
                        id: number;
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        occurred_at: string;
                        /** @description Such as login.failed or wallet.adjusted */
                        action: string;
                        actor: {
                            /** @enum {string} */
                            type: "admin" | "merchant" | "api_key" | "system" | "anonymous";
                            id: number | null;
                            label: string | null;
                        };
                        merchant_id: number | null;
                        subject: {
                            type: string;
                            id: string | null;
                        } | null;
                        ip: string | null;
                        /** @description What changed (never a secret) */
                        details: {
                            [key: string]: unknown;
                        };
                    }[];
                };
            };
            /** @description from must be a date such as 2026-12-07 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "from must be a date such as 2026-12-07",
                     *       "code": "validation_failed",
                     *       "field": "from"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only for people signed in to the dashboard (not API keys) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This endpoint is for people signed in to the dashboard (not API keys)",
                     *       "code": "forbidden"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiPaymentLinks: {
        parameters: {
            query?: {
                include_archived?: "true" | "false";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your links */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": "plink_3kTq8ZrW1mXv0bN5c",
                     *         "url": "https://pay.example.co.ke/pay/8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *         "account_id": 1,
                     *         "environment": "sandbox",
                     *         "amount_kind": "fixed",
                     *         "amount": 1500,
                     *         "min_amount": null,
                     *         "max_amount": null,
                     *         "description": "School fees",
                     *         "account_reference": "TERM1",
                     *         "single_use": false,
                     *         "expires_at": null,
                     *         "state": "active",
                     *         "availability": "open",
                     *         "metadata": {
                     *           "class": "4B"
                     *         },
                     *         "totals": {
                     *           "payments": 3,
                     *           "completed": 2,
                     *           "pending": 0,
                     *           "completed_amount": 3000
                     *         },
                     *         "created_at": "2026-12-08T08:00:00.000Z"
                     *       }
                     *     ]
                     */
                    "application/json": {
                        /** @description plink_… */
                        id: string;
                        /** @description The checkout page to share */
                        url: string;
                        /** @description The payment channel the payments go to */
                        account_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`
                         * @enum {string}
                         */
                        amount_kind: "fixed" | "open";
                        amount: number | null;
                        min_amount: number | null;
                        max_amount: number | null;
                        description: string;
                        account_reference: string;
                        single_use: boolean;
                        expires_at: string | null;
                        /**
                         * @description The merchant's setting
                         * @enum {string}
                         */
                        state: "active" | "paused" | "archived";
                        /**
                         * @description Whether the link takes a payment now, and if not, why
                         * @enum {string}
                         */
                        availability: "open" | "paused" | "archived" | "expired" | "used";
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        totals: {
                            payments: number;
                            completed: number;
                            pending: number;
                            /** @description The sum of its completed payments */
                            completed_amount: number;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    }[];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiPaymentLinks: {
        parameters: {
            query?: never;
            header?: {
                /** @description Your key for this link (at most 255 characters): a retry with the same key and body answers the same link (200) instead of creating another. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The payment channel paid into; your oldest active channel when omitted */
                    account_id?: number;
                    /** @description A fixed amount; omit it to let the customer enter the amount */
                    amount?: number;
                    /** @description Smallest amount the customer may enter (default KES 1) */
                    min_amount?: number;
                    /** @description Largest amount the customer may enter (default KES 250,000) */
                    max_amount?: number;
                    /** @description M-Pesa's TransactionDesc: 1 to 13 of letters, digits, spaces and . , _ # / -; accented letters are sent without accents (Café → Cafe) and outer spaces are trimmed. */
                    description: string;
                    /** @description M-Pesa's AccountReference of each payment; the channel's own when omitted */
                    account_reference?: string;
                    expires_at?: string | null;
                    single_use?: boolean;
                    metadata?: unknown;
                };
            };
        };
        responses: {
            /** @description The link created earlier under this Idempotency-Key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "plink_3kTq8ZrW1mXv0bN5c",
                     *       "url": "https://pay.example.co.ke/pay/8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *       "account_id": 1,
                     *       "environment": "sandbox",
                     *       "amount_kind": "fixed",
                     *       "amount": 1500,
                     *       "min_amount": null,
                     *       "max_amount": null,
                     *       "description": "School fees",
                     *       "account_reference": "TERM1",
                     *       "single_use": false,
                     *       "expires_at": null,
                     *       "state": "active",
                     *       "availability": "open",
                     *       "metadata": {
                     *         "class": "4B"
                     *       },
                     *       "totals": {
                     *         "payments": 3,
                     *         "completed": 2,
                     *         "pending": 0,
                     *         "completed_amount": 3000
                     *       },
                     *       "created_at": "2026-12-08T08:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description plink_… */
                        id: string;
                        /** @description The checkout page to share */
                        url: string;
                        /** @description The payment channel the payments go to */
                        account_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`
                         * @enum {string}
                         */
                        amount_kind: "fixed" | "open";
                        amount: number | null;
                        min_amount: number | null;
                        max_amount: number | null;
                        description: string;
                        account_reference: string;
                        single_use: boolean;
                        expires_at: string | null;
                        /**
                         * @description The merchant's setting
                         * @enum {string}
                         */
                        state: "active" | "paused" | "archived";
                        /**
                         * @description Whether the link takes a payment now, and if not, why
                         * @enum {string}
                         */
                        availability: "open" | "paused" | "archived" | "expired" | "used";
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        totals: {
                            payments: number;
                            completed: number;
                            pending: number;
                            /** @description The sum of its completed payments */
                            completed_amount: number;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    };
                };
            };
            /** @description The new link */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "plink_3kTq8ZrW1mXv0bN5c",
                     *       "url": "https://pay.example.co.ke/pay/8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *       "account_id": 1,
                     *       "environment": "sandbox",
                     *       "amount_kind": "fixed",
                     *       "amount": 1500,
                     *       "min_amount": null,
                     *       "max_amount": null,
                     *       "description": "School fees",
                     *       "account_reference": "TERM1",
                     *       "single_use": false,
                     *       "expires_at": null,
                     *       "state": "active",
                     *       "availability": "open",
                     *       "metadata": {
                     *         "class": "4B"
                     *       },
                     *       "totals": {
                     *         "payments": 3,
                     *         "completed": 2,
                     *         "pending": 0,
                     *         "completed_amount": 3000
                     *       },
                     *       "created_at": "2026-12-08T08:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description plink_… */
                        id: string;
                        /** @description The checkout page to share */
                        url: string;
                        /** @description The payment channel the payments go to */
                        account_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`
                         * @enum {string}
                         */
                        amount_kind: "fixed" | "open";
                        amount: number | null;
                        min_amount: number | null;
                        max_amount: number | null;
                        description: string;
                        account_reference: string;
                        single_use: boolean;
                        expires_at: string | null;
                        /**
                         * @description The merchant's setting
                         * @enum {string}
                         */
                        state: "active" | "paused" | "archived";
                        /**
                         * @description Whether the link takes a payment now, and if not, why
                         * @enum {string}
                         */
                        availability: "open" | "paused" | "archived" | "expired" | "used";
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        totals: {
                            payments: number;
                            completed: number;
                            pending: number;
                            /** @description The sum of its completed payments */
                            completed_amount: number;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    };
                };
            };
            /** @description description must be 1 to 13 characters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "description must be 1 to 13 characters",
                     *       "code": "validation_failed",
                     *       "field": "description"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Identity verification (KYC) is required before you can create payment links */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Identity verification (KYC) is required before you can create payment links",
                     *       "code": "kyc_required"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment channel 7 does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment channel 7 does not exist",
                     *       "code": "not_found",
                     *       "field": "account_id"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This Idempotency-Key was already used with a different request body. Use a new key for a new link. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This Idempotency-Key was already used with a different request body. Use a new key for a new link.",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiPaymentLinksId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The link id (`plink_…`) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link with its totals */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "plink_3kTq8ZrW1mXv0bN5c",
                     *       "url": "https://pay.example.co.ke/pay/8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *       "account_id": 1,
                     *       "environment": "sandbox",
                     *       "amount_kind": "fixed",
                     *       "amount": 1500,
                     *       "min_amount": null,
                     *       "max_amount": null,
                     *       "description": "School fees",
                     *       "account_reference": "TERM1",
                     *       "single_use": false,
                     *       "expires_at": null,
                     *       "state": "active",
                     *       "availability": "open",
                     *       "metadata": {
                     *         "class": "4B"
                     *       },
                     *       "totals": {
                     *         "payments": 3,
                     *         "completed": 2,
                     *         "pending": 0,
                     *         "completed_amount": 3000
                     *       },
                     *       "created_at": "2026-12-08T08:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description plink_… */
                        id: string;
                        /** @description The checkout page to share */
                        url: string;
                        /** @description The payment channel the payments go to */
                        account_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`
                         * @enum {string}
                         */
                        amount_kind: "fixed" | "open";
                        amount: number | null;
                        min_amount: number | null;
                        max_amount: number | null;
                        description: string;
                        account_reference: string;
                        single_use: boolean;
                        expires_at: string | null;
                        /**
                         * @description The merchant's setting
                         * @enum {string}
                         */
                        state: "active" | "paused" | "archived";
                        /**
                         * @description Whether the link takes a payment now, and if not, why
                         * @enum {string}
                         */
                        availability: "open" | "paused" | "archived" | "expired" | "used";
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        totals: {
                            payments: number;
                            completed: number;
                            pending: number;
                            /** @description The sum of its completed payments */
                            completed_amount: number;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiPaymentLinksIdPause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The link id (`plink_…`) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link as it is now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "plink_3kTq8ZrW1mXv0bN5c",
                     *       "url": "https://pay.example.co.ke/pay/8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *       "account_id": 1,
                     *       "environment": "sandbox",
                     *       "amount_kind": "fixed",
                     *       "amount": 1500,
                     *       "min_amount": null,
                     *       "max_amount": null,
                     *       "description": "School fees",
                     *       "account_reference": "TERM1",
                     *       "single_use": false,
                     *       "expires_at": null,
                     *       "state": "paused",
                     *       "availability": "paused",
                     *       "metadata": {
                     *         "class": "4B"
                     *       },
                     *       "totals": {
                     *         "payments": 3,
                     *         "completed": 2,
                     *         "pending": 0,
                     *         "completed_amount": 3000
                     *       },
                     *       "created_at": "2026-12-08T08:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description plink_… */
                        id: string;
                        /** @description The checkout page to share */
                        url: string;
                        /** @description The payment channel the payments go to */
                        account_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`
                         * @enum {string}
                         */
                        amount_kind: "fixed" | "open";
                        amount: number | null;
                        min_amount: number | null;
                        max_amount: number | null;
                        description: string;
                        account_reference: string;
                        single_use: boolean;
                        expires_at: string | null;
                        /**
                         * @description The merchant's setting
                         * @enum {string}
                         */
                        state: "active" | "paused" | "archived";
                        /**
                         * @description Whether the link takes a payment now, and if not, why
                         * @enum {string}
                         */
                        availability: "open" | "paused" | "archived" | "expired" | "used";
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        totals: {
                            payments: number;
                            completed: number;
                            pending: number;
                            /** @description The sum of its completed payments */
                            completed_amount: number;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x is archived; create a new link instead */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x is archived; create a new link instead",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiPaymentLinksIdResume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The link id (`plink_…`) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link as it is now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "plink_3kTq8ZrW1mXv0bN5c",
                     *       "url": "https://pay.example.co.ke/pay/8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *       "account_id": 1,
                     *       "environment": "sandbox",
                     *       "amount_kind": "fixed",
                     *       "amount": 1500,
                     *       "min_amount": null,
                     *       "max_amount": null,
                     *       "description": "School fees",
                     *       "account_reference": "TERM1",
                     *       "single_use": false,
                     *       "expires_at": null,
                     *       "state": "active",
                     *       "availability": "open",
                     *       "metadata": {
                     *         "class": "4B"
                     *       },
                     *       "totals": {
                     *         "payments": 3,
                     *         "completed": 2,
                     *         "pending": 0,
                     *         "completed_amount": 3000
                     *       },
                     *       "created_at": "2026-12-08T08:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description plink_… */
                        id: string;
                        /** @description The checkout page to share */
                        url: string;
                        /** @description The payment channel the payments go to */
                        account_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`
                         * @enum {string}
                         */
                        amount_kind: "fixed" | "open";
                        amount: number | null;
                        min_amount: number | null;
                        max_amount: number | null;
                        description: string;
                        account_reference: string;
                        single_use: boolean;
                        expires_at: string | null;
                        /**
                         * @description The merchant's setting
                         * @enum {string}
                         */
                        state: "active" | "paused" | "archived";
                        /**
                         * @description Whether the link takes a payment now, and if not, why
                         * @enum {string}
                         */
                        availability: "open" | "paused" | "archived" | "expired" | "used";
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        totals: {
                            payments: number;
                            completed: number;
                            pending: number;
                            /** @description The sum of its completed payments */
                            completed_amount: number;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x is archived; create a new link instead */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x is archived; create a new link instead",
                     *       "code": "conflict"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiPaymentLinksIdArchive: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The link id (`plink_…`) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link as it is now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "plink_3kTq8ZrW1mXv0bN5c",
                     *       "url": "https://pay.example.co.ke/pay/8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *       "account_id": 1,
                     *       "environment": "sandbox",
                     *       "amount_kind": "fixed",
                     *       "amount": 1500,
                     *       "min_amount": null,
                     *       "max_amount": null,
                     *       "description": "School fees",
                     *       "account_reference": "TERM1",
                     *       "single_use": false,
                     *       "expires_at": null,
                     *       "state": "archived",
                     *       "availability": "archived",
                     *       "metadata": {
                     *         "class": "4B"
                     *       },
                     *       "totals": {
                     *         "payments": 3,
                     *         "completed": 2,
                     *         "pending": 0,
                     *         "completed_amount": 3000
                     *       },
                     *       "created_at": "2026-12-08T08:00:00.000Z"
                     *     }
                     */
                    "application/json": {
                        /** @description plink_… */
                        id: string;
                        /** @description The checkout page to share */
                        url: string;
                        /** @description The payment channel the payments go to */
                        account_id: number;
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`
                         * @enum {string}
                         */
                        amount_kind: "fixed" | "open";
                        amount: number | null;
                        min_amount: number | null;
                        max_amount: number | null;
                        description: string;
                        account_reference: string;
                        single_use: boolean;
                        expires_at: string | null;
                        /**
                         * @description The merchant's setting
                         * @enum {string}
                         */
                        state: "active" | "paused" | "archived";
                        /**
                         * @description Whether the link takes a payment now, and if not, why
                         * @enum {string}
                         */
                        availability: "open" | "paused" | "archived" | "expired" | "used";
                        metadata: {
                            [key: string]: string | number | boolean;
                        };
                        totals: {
                            payments: number;
                            completed: number;
                            pending: number;
                            /** @description The sum of its completed payments */
                            completed_amount: number;
                        };
                        /**
                         * Format: date-time
                         * @description ISO 8601 timestamp (UTC)
                         */
                        created_at: string;
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiPaymentLinksIdPayments: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The link id (`plink_…`) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link and its payments */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "link": {
                     *         "id": "plink_3kTq8ZrW1mXv0bN5c",
                     *         "url": "https://pay.example.co.ke/pay/8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *         "account_id": 1,
                     *         "environment": "sandbox",
                     *         "amount_kind": "fixed",
                     *         "amount": 1500,
                     *         "min_amount": null,
                     *         "max_amount": null,
                     *         "description": "School fees",
                     *         "account_reference": "TERM1",
                     *         "single_use": false,
                     *         "expires_at": null,
                     *         "state": "active",
                     *         "availability": "open",
                     *         "metadata": {
                     *           "class": "4B"
                     *         },
                     *         "totals": {
                     *           "payments": 3,
                     *           "completed": 2,
                     *           "pending": 0,
                     *           "completed_amount": 3000
                     *         },
                     *         "created_at": "2026-12-08T08:00:00.000Z"
                     *       },
                     *       "payments": [
                     *         {
                     *           "transaction_id": 42,
                     *           "id": "trxn_2bX9kQ0pLm7ZrT4vW",
                     *           "status": "completed",
                     *           "amount": 1500,
                     *           "phone_number": "254712345678",
                     *           "mpesa_receipt": "RGH8KXXXX1",
                     *           "result_code": "0",
                     *           "created_at": "2026-12-08T08:05:00.000Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        link: {
                            /** @description plink_… */
                            id: string;
                            /** @description The checkout page to share */
                            url: string;
                            /** @description The payment channel the payments go to */
                            account_id: number;
                            /** @enum {string} */
                            environment: "sandbox" | "production";
                            /**
                             * @description `fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`
                             * @enum {string}
                             */
                            amount_kind: "fixed" | "open";
                            amount: number | null;
                            min_amount: number | null;
                            max_amount: number | null;
                            description: string;
                            account_reference: string;
                            single_use: boolean;
                            expires_at: string | null;
                            /**
                             * @description The merchant's setting
                             * @enum {string}
                             */
                            state: "active" | "paused" | "archived";
                            /**
                             * @description Whether the link takes a payment now, and if not, why
                             * @enum {string}
                             */
                            availability: "open" | "paused" | "archived" | "expired" | "used";
                            metadata: {
                                [key: string]: string | number | boolean;
                            };
                            totals: {
                                payments: number;
                                completed: number;
                                pending: number;
                                /** @description The sum of its completed payments */
                                completed_amount: number;
                            };
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                        };
                        payments: {
                            transaction_id: number;
                            /** @description trxn_… */
                            id: string;
                            /**
                             * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                             * @enum {string}
                             */
                            status: "pending" | "completed" | "failed" | "needs_review";
                            /** @description Whole KES */
                            amount: number;
                            phone_number: string;
                            mpesa_receipt: string | null;
                            result_code: string | null;
                            /**
                             * Format: date-time
                             * @description ISO 8601 timestamp (UTC)
                             */
                            created_at: string;
                        }[];
                    };
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiPaymentLinksIdQrPng: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The link id (`plink_…`) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The QR code */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": string;
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiPaymentLinksIdQrSvg: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The link id (`plink_…`) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The QR code */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/svg+xml": string;
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiPaymentLinksIdMpesaQrPng: {
        parameters: {
            query?: {
                /** @description The amount, for a link whose customer enters it (within the link's bounds) */
                amount?: string;
                /** @description The image's side in pixels, 100 to 1000 (default 300) */
                size?: string;
            };
            header?: never;
            path: {
                /** @description The link id (`plink_…`) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The QR code, as Daraja made it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": string;
                };
            };
            /** @description The amount must be between KES 10 and KES 5000 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "The amount must be between KES 10 and KES 5000",
                     *       "code": "validation_failed",
                     *       "field": "amount"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, wrong or revoked credentials */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Invalid API credentials",
                     *       "code": "unauthorized"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Identity verification (KYC) is required before you can generate M-Pesa QR codes */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Identity verification (KYC) is required before you can generate M-Pesa QR codes",
                     *       "code": "kyc_required"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Payment link plink_x does not exist */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Payment link plink_x does not exist",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description M-Pesa could not generate the QR code just now. Try again shortly. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "M-Pesa could not generate the QR code just now. Try again shortly.",
                     *       "code": "daraja_unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiPayToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The secret part of the link's URL (`/pay/{token}`) */
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link as its page shows it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "merchant_name": "Mama Njeri Groceries",
                     *       "description": "School fees",
                     *       "amount_kind": "fixed",
                     *       "amount": 1500,
                     *       "min_amount": null,
                     *       "max_amount": null,
                     *       "currency": "KES",
                     *       "environment": "sandbox",
                     *       "availability": "open"
                     *     }
                     */
                    "application/json": {
                        merchant_name: string;
                        description: string;
                        /**
                         * @description `fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`
                         * @enum {string}
                         */
                        amount_kind: "fixed" | "open";
                        amount: number | null;
                        min_amount: number | null;
                        max_amount: number | null;
                        /** @constant */
                        currency: "KES";
                        /** @enum {string} */
                        environment: "sandbox" | "production";
                        /**
                         * @description `open` when the link takes a payment now; `unavailable`: the merchant cannot take payments
                         * @enum {string}
                         */
                        availability: "open" | "paused" | "archived" | "expired" | "used" | "unavailable";
                    };
                };
            };
            /** @description This payment link does not exist. Check the address. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This payment link does not exist. Check the address.",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiPayTokenPayments: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The secret part of the link's URL (`/pay/{token}`) */
                token: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The M-Pesa number to prompt: 0712345678, 0112345678, +254712345678, 254712345678, … */
                    phone_number: string;
                    /** @description The amount, for a link whose customer enters it; a fixed link's own amount otherwise */
                    amount?: number | null;
                };
            };
        };
        responses: {
            /** @description The prompt is on its way to the phone */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "payment_token": "8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *       "status": "pending",
                     *       "message": "Check your phone and enter your M-Pesa PIN."
                     *     }
                     */
                    "application/json": {
                        /** @description Polls GET /api/pay/{token}/payments/{payment_token} */
                        payment_token: string;
                        /** @constant */
                        status: "pending";
                        /** @description What the customer should do now */
                        message: string;
                    };
                };
            };
            /** @description M-Pesa has not confirmed the push yet; poll the payment, do not pay again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "payment_token": "8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D",
                     *       "status": "pending",
                     *       "message": "The prompt may take a moment to reach your phone. Do not pay again."
                     *     }
                     */
                    "application/json": {
                        /** @description Polls GET /api/pay/{token}/payments/{payment_token} */
                        payment_token: string;
                        /** @constant */
                        status: "pending";
                        /** @description What the customer should do now */
                        message: string;
                    };
                };
            };
            /** @description The amount must be between KES 10 and KES 5000 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "The amount must be between KES 10 and KES 5000",
                     *       "code": "validation_failed",
                     *       "field": "amount"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This payment link does not exist. Check the address. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "This payment link does not exist. Check the address.",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The link takes no payment now: `reason` is paused, archived, expired, used (single use) or unavailable (the merchant cannot take payments); A payment prompt is already open on this phone. Answer it on the phone (or wait about a minute for it to end), then try again. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: at most 5 every 600 s. Retry after 412 s. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 5 every 600 s. Retry after 412 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 412
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description M-Pesa is busy right now; no prompt was sent. Try again in a minute.; ImaraPay could not start the payment (Retry-After says when to retry; use the same Idempotency-Key) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiPayTokenPaymentsPaymentToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The secret part of the link's URL (`/pay/{token}`) */
                token: string;
                /** @description The payment_token POST /api/pay/{token}/payments answered */
                paymentToken: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The payment as it stands */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "failed",
                     *       "amount": 1500,
                     *       "mpesa_receipt": null,
                     *       "result_code": "1032",
                     *       "result_desc": "Request cancelled by user",
                     *       "next_step": "cancelled"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description `needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)
                         * @enum {string}
                         */
                        status: "pending" | "completed" | "failed" | "needs_review";
                        /** @description Whole KES */
                        amount: number;
                        mpesa_receipt: string | null;
                        /** @description M-Pesa's ResultCode */
                        result_code: string | null;
                        result_desc: string | null;
                        /** @enum {string} */
                        next_step: "wait" | "done" | "in_review" | "cancelled" | "timed_out" | "insufficient_balance" | "wrong_pin" | "failed";
                    };
                };
            };
            /** @description No such payment on this link */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "No such payment on this link",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Too many requests: at most 60 every 10 s. Retry after 7 s.",
                     *       "code": "rate_limited",
                     *       "retry_after": 7
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postHooksDarajaTokenTransactionId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Secret per-payment token (redacted) */
                token: string;
                /** @description The payment the callback is for */
                transactionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Stored and accepted (also for malformed, duplicate and late callbacks) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "ResultCode": 0,
                     *       "ResultDesc": "Accept"
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        ResultCode: 0;
                        /** @constant */
                        ResultDesc: "Accept";
                    };
                };
            };
            /** @description Wrong token: not stored */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Not found",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The callback could be neither stored nor handed over */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "The callback could be neither stored nor handed over",
                     *       "code": "temporarily_unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postHooksDarajaResultsTokenKind: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Secret token (redacted) */
                token: string;
                /** @description `status`, `timeout` or `pull` */
                kind: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Stored and accepted (malformed and unknown results too) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "ResultCode": 0,
                     *       "ResultDesc": "Accept"
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        ResultCode: 0;
                        /** @constant */
                        ResultDesc: "Accept";
                    };
                };
            };
            /** @description Wrong token: not stored */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Not found",
                     *       "code": "not_found"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The result could not be stored */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "The result could not be stored",
                     *       "code": "temporarily_unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The API is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok"
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
        };
    };
    getApiOpenapiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "openapi": "3.1.0",
                     *       "info": {
                     *         "title": "ImaraPay API",
                     *         "version": "1.0.0"
                     *       },
                     *       "paths": {}
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        openapi: "3.1.0";
                        info: {
                            title: string;
                            version: string;
                        } & {
                            [key: string]: unknown;
                        };
                        paths: {
                            [key: string]: unknown;
                        };
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getDocs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description HTML */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    getApiReady: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready for traffic */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready"
                     *     }
                     */
                    "application/json": {
                        /** @constant */
                        status: "ready";
                    };
                };
            };
            /** @description A dependency is failing, or the instance is shutting down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": "Not ready: temporal failing",
                     *       "code": "not_ready",
                     *       "checks": {
                     *         "postgres": "ok",
                     *         "temporal": "failing"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
