#!/usr/bin/env bash
# One-shot topic creation with Kafka's own kafka-topics.sh (run by the kafka-init service
# in the apache/kafka image). Idempotent: existing topics are left as they are.
#
#   renovation.<service>       RENOVATION_TOPIC_PARTITIONS partitions (key = project_id),
#                              retention unlimited: they are the history auditors replay
#   renovation.<service>.dlq   1 partition, retention unlimited
#   renovation.audit.checkpoints  1 partition, retention unlimited (signed Merkle roots)
#
# Single node (docker-compose.yml): replication 1, min.insync.replicas 1.
# Production cluster: TOPIC_REPLICATION_FACTOR=3 TOPIC_MIN_INSYNC_REPLICAS=2.
set -euo pipefail

BOOTSTRAP="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
PARTITIONS="${RENOVATION_TOPIC_PARTITIONS:-3}"
REPLICATION="${TOPIC_REPLICATION_FACTOR:-1}"
MIN_ISR="${TOPIC_MIN_INSYNC_REPLICAS:-1}"
KAFKA_TOPICS="${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}"
SERVICES="intake construction complaints acceptance"

if (( MIN_ISR > REPLICATION )); then
  echo "TOPIC_MIN_INSYNC_REPLICAS=$MIN_ISR exceeds TOPIC_REPLICATION_FACTOR=$REPLICATION:" \
       "producers with acks=all could never write" >&2
  exit 1
fi

create() {
  local topic=$1 partitions=$2
  echo "topic $topic: partitions=$partitions replication=$REPLICATION min.insync.replicas=$MIN_ISR"
  "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$topic" --partitions "$partitions" --replication-factor "$REPLICATION" \
    --config "min.insync.replicas=$MIN_ISR" \
    --config retention.ms=-1 --config retention.bytes=-1 --config cleanup.policy=delete
}

for service in $SERVICES; do
  create "renovation.$service" "$PARTITIONS"
done
for service in $SERVICES; do
  create "renovation.$service.dlq" 1
done
# Signed checkpoints of every service's Merkle root (key = service): kept for ever, like the logs.
create "renovation.audit.checkpoints" 1

"$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" --describe --topic 'renovation\..*'
