#!/bin/sh
# One-shot object-store setup (run by the minio-init service in the quay.io/minio/mc image):
#   - bucket "evidence" with object lock, which turns versioning on: evidence is write-once;
#   - a default retention of EVIDENCE_RETENTION_MODE (GOVERNANCE) for EVIDENCE_RETENTION_DAYS;
#   - the services' own account, allowed to write and read evidence but never to delete it
#     nor to bypass the retention.
# Idempotent. A bucket that already exists WITHOUT object lock makes this fail loudly:
# object lock can only be switched on when a bucket is created.
set -eu

ENDPOINT="${MINIO_ENDPOINT:-http://minio:9000}"
BUCKET="evidence"  # fixed by ARCHITECTURE.md; evidence-policy.json names it too
MODE="${EVIDENCE_RETENTION_MODE:-GOVERNANCE}"
DAYS="${EVIDENCE_RETENTION_DAYS:-3650}"
POLICY_FILE="${EVIDENCE_POLICY_FILE:-/deploy/minio/evidence-policy.json}"
POLICY_NAME="renovation-evidence"

case "$MODE" in
  GOVERNANCE|COMPLIANCE) ;;
  *) echo "EVIDENCE_RETENTION_MODE must be GOVERNANCE or COMPLIANCE, not '$MODE'" >&2; exit 1 ;;
esac
case "$DAYS" in
  ''|*[!0-9]*|0) echo "EVIDENCE_RETENTION_DAYS must be a whole number of days > 0, not '$DAYS'" >&2; exit 1 ;;
esac

mc alias set local "$ENDPOINT" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"

mc mb --ignore-existing --with-lock "local/$BUCKET"
mc retention set --default "$MODE" "${DAYS}d" "local/$BUCKET"
mc version info "local/$BUCKET"
mc retention info --default "local/$BUCKET"

mc admin policy create local "$POLICY_NAME" "$POLICY_FILE"
mc admin user add local "$EVIDENCE_ACCESS_KEY" "$EVIDENCE_SECRET_KEY"
if ! out=$(mc admin policy attach local "$POLICY_NAME" --user "$EVIDENCE_ACCESS_KEY" 2>&1); then
  case "$out" in
    *already*) ;;  # attached on an earlier run
    *) echo "$out" >&2; exit 1 ;;
  esac
fi
echo "bucket $BUCKET: object lock on, default retention $MODE ${DAYS}d; account $EVIDENCE_ACCESS_KEY ready"
