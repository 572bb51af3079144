#!/usr/bin/env bash
# Runs ON the EC2 instance (sent by .github/workflows/deploy.yml through SSM Run Command, or run by hand
# or by a self-hosted runner): pull an image, swap the container, roll back if /healthz does not pass.
#
#   deploy-on-host.sh <image uri with tag>        e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/respidetect:3f2c…
#
# Environment (all optional):
#   AWS_REGION        region of the ECR registry (default: parsed from the image uri)
#   APP_NAME          container name (default respidetect)
#   HOST_PORT         loopback port nginx proxies to (default 8080)
#   HEALTH_TIMEOUT_S  how long the new container has to pass /healthz (default 60)
set -euo pipefail

IMAGE="${1:?usage: deploy-on-host.sh <image uri with tag>}"
APP_NAME="${APP_NAME:-respidetect}"
HOST_PORT="${HOST_PORT:-8080}"
HEALTH_TIMEOUT_S="${HEALTH_TIMEOUT_S:-60}"
REGISTRY="${IMAGE%%/*}"
# <account>.dkr.ecr.<region>.amazonaws.com/…
REGION_FROM_URI="$(printf '%s' "$REGISTRY" | sed -n 's/^[0-9]*\.dkr\.ecr\.\([a-z0-9-]*\)\.amazonaws\.com.*$/\1/p')"
AWS_REGION="${AWS_REGION:-$REGION_FROM_URI}"
STATE_DIR=/var/lib/respidetect
STATE_FILE="$STATE_DIR/current-image"

log() { printf '[deploy %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

run_container() {
  # Read-only root filesystem with a small tmpfs, no capabilities, no privilege escalation, bounded
  # memory and pids; published on loopback only, because nginx on the host is the public face.
  docker run --detach --name "$APP_NAME" \
    --restart unless-stopped \
    --read-only --tmpfs /tmp:rw,noexec,nosuid,size=16m \
    --cap-drop ALL --security-opt no-new-privileges \
    --memory 512m --pids-limit 256 \
    --log-driver json-file --log-opt max-size=10m --log-opt max-file=5 \
    --publish "127.0.0.1:${HOST_PORT}:8080" \
    "$1" >/dev/null
}

healthy() {
  local deadline=$((SECONDS + HEALTH_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    if curl --silent --fail --max-time 2 "http://127.0.0.1:${HOST_PORT}/healthz" >/dev/null; then
      return 0
    fi
    if [[ "$(docker inspect --format '{{.State.Status}}' "$APP_NAME" 2>/dev/null || echo missing)" == "exited" ]]; then
      return 1
    fi
    sleep 2
  done
  return 1
}

mkdir -p "$STATE_DIR"
PREVIOUS=""
if [[ -s "$STATE_FILE" ]]; then PREVIOUS="$(cat "$STATE_FILE")"; fi

if [[ -n "$AWS_REGION" ]]; then
  log "logging in to $REGISTRY"
  aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY" >/dev/null
fi

log "pulling $IMAGE"
docker pull --quiet "$IMAGE" >/dev/null

log "replacing container $APP_NAME (previous image: ${PREVIOUS:-none})"
docker rm --force "$APP_NAME" >/dev/null 2>&1 || true
run_container "$IMAGE"

if healthy; then
  printf '%s\n' "$IMAGE" >"$STATE_FILE.tmp" && mv "$STATE_FILE.tmp" "$STATE_FILE"
  log "healthy: $IMAGE"
  # Keep the previous image for the next rollback; drop older ones.
  docker image prune --force --filter "until=168h" >/dev/null || true
  exit 0
fi

log "new container failed /healthz within ${HEALTH_TIMEOUT_S}s; last log lines:"
docker logs --tail 50 "$APP_NAME" 2>&1 || true
docker rm --force "$APP_NAME" >/dev/null 2>&1 || true
if [[ -n "$PREVIOUS" ]]; then
  log "rolling back to $PREVIOUS"
  run_container "$PREVIOUS"
  if healthy; then
    log "rollback healthy: $PREVIOUS"
  else
    log "rollback ALSO unhealthy: $PREVIOUS"
  fi
else
  log "no previous image to roll back to"
fi
exit 1
