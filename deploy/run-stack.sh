#!/usr/bin/env bash
# Start the whole stack on localhost: granian, Varnish in front of it, and an nginx that
# serves saved pages as plain files (the benchmark's ceiling). Every process gets a PID
# file in the run directory, and the stack stops by itself after STACK_LIFETIME seconds.
#
#   deploy/run-stack.sh start     # start (installs varnish, nginx and wrk when missing;
#                                 # refuses a port that another program listens on)
#   deploy/run-stack.sh stop      # stop everything this script started
#   deploy/run-stack.sh status
#
# Environment (defaults in brackets):
#   DJANGO_SETTINGS_MODULE [fss_site.settings.production], DATABASE_URL, REDIS_URL,
#   SECRET_KEY and the other production variables (see .env.example)
#   STACK_DIR [/tmp/fss-stack]    run directory: PID files, logs, static files, VCL
#   APP_PORT [8000]               granian with the application cache
#   UNCACHED_PORT [unset]         a second granian with the application cache off
#   SEEDS_PORT [unset]            a third, also uncached, on SEEDS_DATABASE_URL and
#                                 SEEDS_REDIS_URL (the benchmark's seeds-only copy)
#   VARNISH_PORT [6081]           Varnish, in front of APP_PORT
#   STATIC_PORT [8088]            nginx serving STACK_DIR/html
#   WORKERS [2]                   granian worker processes
#   THREADS [GRANIAN_BLOCKING_THREADS of deploy/granian.env]  application threads per worker
#   ACCESS_LOG [0]                1: granian's access log (to STACK_DIR/NAME.log)
#   WSGI_APP [fss_site.wsgi:application]   what granian serves
# granian runs with the production settings in deploy/granian.env; the values above
# override the port, the workers, the threads and the access log.
#   STACK_LIFETIME [3600]         seconds until the stack stops by itself
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STACK_DIR="${STACK_DIR:-/tmp/fss-stack}"
APP_PORT="${APP_PORT:-8000}"
UNCACHED_PORT="${UNCACHED_PORT:-}"
SEEDS_PORT="${SEEDS_PORT:-}"
VARNISH_PORT="${VARNISH_PORT:-6081}"
STATIC_PORT="${STATIC_PORT:-8088}"
WORKERS="${WORKERS:-2}"
THREADS="${THREADS:-}"
ACCESS_LOG="${ACCESS_LOG:-0}"
STACK_LIFETIME="${STACK_LIFETIME:-3600}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
# The production entry point: the page cache's WSGI layer in front of Django.
WSGI_APP="${WSGI_APP:-fss_site.wsgi:application}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-fss_site.settings.production}"
export STATIC_ROOT="${STATIC_ROOT:-$STACK_DIR/static}"
export MEDIA_ROOT="${MEDIA_ROOT:-$STACK_DIR/media}"

install_missing() {
    local missing=()
    command -v varnishd >/dev/null 2>&1 || [ -x /usr/sbin/varnishd ] || missing+=(varnish)
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installerar ${missing[*]} …"
        if [ "$(id -u)" -eq 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
        else
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
        fi
    fi
}

wait_for() {  # wait_for PORT NAME: until something answers HTTP on the port (max 30 s)
    local port="$1" name="$2"
    for _ in $(seq 1 150); do
        if "$PYTHON" - "$port" <<'PY' 2>/dev/null; then return 0; fi
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=1)
c.request("GET", "/health/live/")
c.getresponse().read()
PY
        sleep 0.2
    done
    echo "$name på port $port svarar inte; se $STACK_DIR/*.log" >&2
    return 1
}

start_granian() {  # start_granian NAME PORT PAGE_CACHE(1/0)
    local name="$1" port="$2" page_cache="$3"
    local options=(--host 127.0.0.1 --port "$port" --workers "$WORKERS")
    options+=(--pid-file "$STACK_DIR/$name.pid")
    if [ -n "$THREADS" ]; then
        options+=(--blocking-threads "$THREADS")
    fi
    if [ "$ACCESS_LOG" = "1" ]; then
        options+=(--access-log)
    fi
    (
        cd "$ROOT"
        # The production settings (GRANIAN_* variables); the options above win over them.
        set -a
        # shellcheck source=deploy/granian.env
        . "$ROOT/deploy/granian.env"
        set +a
        FSS_PAGE_CACHE="$page_cache" nohup "$ROOT/.venv/bin/granian" "${options[@]}" "$WSGI_APP" \
            >"$STACK_DIR/$name.log" 2>&1 </dev/null &
    )
    wait_for "$port" "granian ($name)"
}

stop_pidfile() {
    local file="$1"
    [ -f "$file" ] || return 0
    local pid
    pid="$(cat "$file")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

stop() {
    for name in watchdog app uncached seeds nginx varnishd; do
        stop_pidfile "$STACK_DIR/$name.pid"
    done
    echo "Stacken är stoppad."
}

status() {
    for name in app uncached seeds varnishd nginx watchdog; do
        local file="$STACK_DIR/$name.pid"
        if [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null; then
            echo "$name: körs (pid $(cat "$file"))"
        else
            echo "$name: stoppad"
        fi
    done
}

# Varnish's shared-memory log, per request: what a request line of an access log needs
# (method, URL, status, bytes, timestamps) and errors, but not every request and response
# header, nor each VCL step: those records cost a fifth of Varnish's rate on cache hits.
# For debugging: varnishadm -n "$STACK_DIR/varnish" param.set vsl_mask default
VARNISH_VSL_MASK="-ReqHeader,-RespHeader,-ReqUnset,-RespUnset,-VCL_call,-VCL_return"
VARNISH_VSL_MASK+=",-ReqProtocol,-RespProtocol,-RespReason,-ReqStart,-Link,-Hit,-Filters,-VCL_use"

ports_free() {  # ports_free PORT…: fails, saying which, if a program already listens on one
    local port
    for port in "$@"; do
        [ -n "$port" ] || continue
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            # granian and nginx share a port with another process that listens on it: the
            # stack would answer only part of the requests (a benchmark would mix servers).
            echo "Port $port används redan av ett annat program. Stoppa det eller välj en annan port." >&2
            return 1
        fi
    done
}

start() {
    mkdir -p "$STACK_DIR/html" "$STATIC_ROOT" "$MEDIA_ROOT"
    chmod 755 "$STACK_DIR" "$STACK_DIR/html"
    stop >/dev/null
    ports_free "$APP_PORT" "$UNCACHED_PORT" "$SEEDS_PORT" "$VARNISH_PORT" "$STATIC_PORT"
    install_missing
    (cd "$ROOT" && "$PYTHON" manage.py collectstatic --noinput -v 0)

    start_granian app "$APP_PORT" 1
    if [ -n "$UNCACHED_PORT" ]; then
        start_granian uncached "$UNCACHED_PORT" 0
    fi
    if [ -n "$SEEDS_PORT" ]; then
        : "${SEEDS_DATABASE_URL:?SEEDS_PORT kräver SEEDS_DATABASE_URL}"
        : "${SEEDS_REDIS_URL:?SEEDS_PORT kräver SEEDS_REDIS_URL}"
        DATABASE_URL="$SEEDS_DATABASE_URL" REDIS_URL="$SEEDS_REDIS_URL" \
            start_granian seeds "$SEEDS_PORT" 0
    fi

    sed -e "s/\.port = \"8000\"/.port = \"$APP_PORT\"/" "$ROOT/deploy/varnish/fss.vcl" \
        >"$STACK_DIR/fss.vcl"
    cp "$ROOT/deploy/varnish/shared.vcl" "$STACK_DIR/shared.vcl"  # included by fss.vcl
    mkdir -p "$STACK_DIR/varnish"
    chmod 755 "$STACK_DIR/varnish"
    /usr/sbin/varnishd -a "127.0.0.1:$VARNISH_PORT" -f "$STACK_DIR/fss.vcl" \
        -n "$STACK_DIR/varnish" -s malloc,256m -P "$STACK_DIR/varnishd.pid" \
        -p default_ttl=0 -p thread_pool_min=50 -p backend_idle_timeout=50 \
        -p vsl_mask="$VARNISH_VSL_MASK"
    wait_for "$VARNISH_PORT" "Varnish"

    sed -e "s|@RUN@|$STACK_DIR|g" -e "s|@ROOT@|$STACK_DIR/html|g" -e "s|@PORT@|$STATIC_PORT|g" \
        "$ROOT/deploy/nginx/static-ceiling.conf" >"$STACK_DIR/nginx.conf"
    /usr/sbin/nginx -c "$STACK_DIR/nginx.conf" -p "$STACK_DIR" -e "$STACK_DIR/nginx-error.log"

    # Bounded lifetime: the stack never outlives a forgotten benchmark.
    nohup bash -c "for _ in \$(seq $STACK_LIFETIME); do sleep 1; done; STACK_DIR='$STACK_DIR' '$0' stop" \
        >/dev/null 2>&1 &
    echo $! >"$STACK_DIR/watchdog.pid"

    local servers="granian :$APP_PORT"
    servers+="${UNCACHED_PORT:+, utan cache :$UNCACHED_PORT}${SEEDS_PORT:+, bara seeds :$SEEDS_PORT}"
    echo "Stacken körs: $servers, Varnish :$VARNISH_PORT, nginx :$STATIC_PORT" \
        "(stoppas efter $STACK_LIFETIME s)."
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *)
        echo "Användning: $0 start|stop|status" >&2
        exit 2
        ;;
esac
