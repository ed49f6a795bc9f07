#!/bin/sh
# One-shot (temporalio/admin-tools): creates ImaraPay's namespace and registers the custom search
# attributes. Safe to run again. The attribute list must match SEARCH_ATTRIBUTE_REGISTRATIONS in
# workflows/searchAttributes.ts: a workflow that upserts an unregistered attribute fails its tasks.
# TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE come from the environment.
set -eu

SEARCH_ATTRIBUTES="ImaraMerchantId ImaraTransactionId ImaraCheckoutRequestId ImaraPaymentStatus ImaraExternalReference ImaraEnvironment ImaraEvidence"
# Completed payments stay visible in the UI this long.
RETENTION=${TEMPORAL_NAMESPACE_RETENTION:-720h}

# Runs "$@" until it succeeds, up to 60 times two seconds apart.
retry() {
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge 60 ]; then
      echo "giving up on: $*" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

retry temporal operator cluster health >/dev/null

if temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $TEMPORAL_NAMESPACE already exists"
else
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$RETENTION"
fi

# A new namespace reaches the server's namespace cache some seconds after it was created.
retry temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1
existing=$(temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE")
for name in $SEARCH_ATTRIBUTES; do
  if echo "$existing" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type Keyword
  fi
done
echo "Namespace $TEMPORAL_NAMESPACE is ready"
