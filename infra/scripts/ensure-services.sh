#!/usr/bin/env bash
# Make sure the services Babble Buddy and its tests need are present and running:
#   pnpm 10, PostgreSQL (with the pgvector extension) and Redis, plus Chromium with --browser.
#
# Idempotent and quick when everything is already there. Services that are already reachable at
# DATABASE_URL / REDIS_URL (e.g. CI service containers) are used as they are; only a local server
# that does not answer is installed/started. Remote (non-local) services are never installed here.
#
# Usage: infra/scripts/ensure-services.sh [--browser]
# Env:   DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
#        REDIS_URL    (default redis://127.0.0.1:6379)
set -euo pipefail

log() { echo "[services] $*"; }
warn() { echo "[services] warning: $*" >&2; }
die() { echo "[services] error: $*" >&2; exit 1; }

WANT_BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --browser) WANT_BROWSER=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (usage: $0 [--browser])" ;;
  esac
done

DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

# Everything that needs root goes through here, so a non-root run fails with a clear message
# only when something actually has to change.
need_root() {
  [ "$IS_ROOT" -eq 1 ] || die "$1 needs root; re-run as root (e.g. sudo $0), or provide it yourself"
}

APT_UPDATED=0
apt_install() {
  need_root "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

is_local_host() {
  case "$1" in
    ""|localhost|127.*|::1|"[::1]"|/*) return 0 ;;
    *) return 1 ;;
  esac
}

# Split scheme://[user[:pass]@]host[:port][/path][?query] into URL_HOST / URL_PORT.
parse_url() {
  local rest="${1#*://}"
  rest="${rest%%\?*}"
  local authority="${rest%%/*}"
  local hostport="${authority##*@}"
  if [[ "$hostport" == \[* ]]; then # [ipv6]:port
    URL_HOST="${hostport%%]*}]"
    local after="${hostport#*]}"
    URL_PORT="${after#:}"
  elif [[ "$hostport" == *:* ]]; then
    URL_HOST="${hostport%%:*}"
    URL_PORT="${hostport##*:}"
  else
    URL_HOST="$hostport"
    URL_PORT=""
  fi
}

# Is something accepting TCP connections on host:port? (no client tools needed)
tcp_open() {
  local host="${1#[}"; host="${host%]}"
  [ -n "$host" ] || host=127.0.0.1
  timeout 3 bash -c ": <>/dev/tcp/$host/$2" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# pnpm 10
# ---------------------------------------------------------------------------------------------
ensure_pnpm() {
  local v=""
  if command -v pnpm >/dev/null 2>&1; then
    v="$(pnpm --version 2>/dev/null || true)"
  fi
  if [[ "$v" == 10.* ]]; then
    log "pnpm $v ok"
    return
  fi
  command -v npm >/dev/null 2>&1 || die "npm not found; install Node.js 20 first"
  local prefix
  prefix="$(npm prefix -g 2>/dev/null)"
  if [ ! -w "$prefix/lib" ] && [ "$IS_ROOT" -eq 0 ]; then
    die "pnpm 10 is missing (found: ${v:-none}) and $prefix is not writable; run: npm i -g pnpm@10"
  fi
  log "installing pnpm@10 (found: ${v:-none})"
  npm i -g --no-fund --no-audit --loglevel=error pnpm@10 >/dev/null
  hash -r
  if ! command -v pnpm >/dev/null 2>&1; then
    export PATH="$prefix/bin:$PATH"
    warn "pnpm was installed into $prefix/bin, which is not on PATH"
  fi
  log "pnpm $(pnpm --version) ok"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL + pgvector
# ---------------------------------------------------------------------------------------------
# libpq rejects URI parameters it does not know (Prisma adds e.g. ?schema=public): keep only the
# ones libpq understands, and point at database $2 (the maintenance database by default).
pg_url_for_db() {
  local url="$1" db="${2:-postgres}" base query kept="" p
  base="${url%%\?*}"
  query=""
  [[ "$url" == *\?* ]] && query="${url#*\?}"
  local IFS='&'
  for p in $query; do
    case "${p%%=*}" in
      sslmode|sslrootcert|sslcert|sslkey|connect_timeout|application_name|host|port|user|password|options|target_session_attrs)
        kept="${kept:+$kept&}$p" ;;
    esac
  done
  local scheme="${base%%://*}" rest="${base#*://}"
  local authority="${rest%%/*}"
  echo "${scheme}://${authority}/${db}${kept:+?$kept}"
}

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -t 3 -d "$PG_URL" >/dev/null 2>&1
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

# -w: never prompt for a password (fail instead).
psql_q() { PGCONNECT_TIMEOUT=5 psql "$PG_URL" -w -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

# Prints "<version> <main>" of an online local cluster on $PG_PORT (Debian's postgresql-common).
local_cluster() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" -v want="${1:-}" \
    '$3 == port && (want == "" || $4 == want) { print $1, $2; exit }'
}

start_local_postgres() {
  local cl ver name
  cl="$(local_cluster || true)"
  if [ -z "$cl" ]; then
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
      apt_install postgresql
      PG_INSTALLED_NOW=1
    fi
    cl="$(local_cluster || true)"
    [ -n "$cl" ] || die "no PostgreSQL cluster configured on port $PG_PORT (see pg_lsclusters)"
  fi
  read -r ver name <<<"$cl"
  if ! pg_ready; then
    need_root "starting PostgreSQL cluster $ver/$name"
    log "starting PostgreSQL cluster $ver/$name"
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
    local i
    for i in $(seq 1 30); do pg_ready && break; sleep 0.5; done
    pg_ready || die "PostgreSQL $ver/$name did not come up on port $PG_PORT (see /var/log/postgresql/)"
  fi
  # A fresh install uses peer/scram auth: trust local TCP connections, as the tests expect.
  if [ "$PG_INSTALLED_NOW" -eq 1 ] && ! psql_q -c 'select 1' >/dev/null 2>&1; then
    local hba="/etc/postgresql/$ver/$name/pg_hba.conf"
    log "allowing trust auth for 127.0.0.1 in $hba"
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" reload
    sleep 0.5
  fi
}

has_vector() {
  [ "$(psql_q -c "SELECT 1 FROM pg_available_extensions WHERE name='vector'" 2>/dev/null)" = "1" ]
}

# Debian 12 has no pgvector package: build Debian's own source package (trixie) against the
# running server's headers, fetched with a throw-away apt configuration.
build_pgvector() {
  local major="$1"
  local pg_config="/usr/lib/postgresql/$major/bin/pg_config"
  need_root "building pgvector for PostgreSQL $major"
  log "pgvector missing: building it from Debian's source package (trixie) for PostgreSQL $major"

  local missing=()
  [ -f "/usr/include/postgresql/$major/server/postgres.h" ] || missing+=("postgresql-server-dev-$major")
  command -v dpkg-source >/dev/null 2>&1 || missing+=(dpkg-dev)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
  [ -x "$pg_config" ] || die "$pg_config not found"

  # Same archive as the machine's own sources.
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri="$(awk 'tolower($1)=="uris:" && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1=="deb" { for (i=2;i<=NF;i++) if ($i !~ /^\[/ && $i ~ /\/debian\/?$/) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)"
  fi
  uri="${uri:-http://deb.debian.org/debian}"
  uri="${uri%/}"

  local tmp
  tmp="$(mktemp -d /tmp/pgvector-build.XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  mkdir -p "$tmp/lists/partial" "$tmp/src"
  chmod 755 "$tmp" "$tmp/src"
  chown -R _apt "$tmp/lists" "$tmp/src" 2>/dev/null || true
  echo "deb-src $uri trixie main" >"$tmp/trixie-src.list"

  local aptopts=(
    -o "Dir::Etc::sourcelist=$tmp/trixie-src.list"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$tmp/lists"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
    -o "APT::Get::List-Cleanup=0"
  )
  log "fetching pgvector source from $uri (trixie)"
  apt-get "${aptopts[@]}" -qq update >/dev/null
  (cd "$tmp/src" && apt-get "${aptopts[@]}" -qq source --download-only pgvector >/dev/null 2>&1) \
    || die "could not download the pgvector source package"
  local dsc
  dsc="$(ls "$tmp"/src/pgvector_*.dsc | head -n1)"
  (cd "$tmp/src" && dpkg-source -x "$(basename "$dsc")" pgvector >/dev/null 2>&1) \
    || die "dpkg-source -x $dsc failed"

  log "building $(basename "$dsc" .dsc)"
  # OPTFLAGS="" like Debian's own build: no -march=native, so the library runs on any x86-64.
  make -s -C "$tmp/src/pgvector" PG_CONFIG="$pg_config" OPTFLAGS="" -j"$(nproc)" >/dev/null 2>&1 \
    || die "pgvector build failed (cd $tmp/src/pgvector && make PG_CONFIG=$pg_config)"
  make -s -C "$tmp/src/pgvector" PG_CONFIG="$pg_config" OPTFLAGS="" install >/dev/null 2>&1 \
    || die "pgvector install failed"
  rm -rf "$tmp"
  trap - EXIT
}

verify_vector() {
  local db="bb_pgvector_check_$$"
  psql_q -c "CREATE DATABASE $db" >/dev/null
  local ok=0
  PGCONNECT_TIMEOUT=5 psql "$(pg_url_for_db "$DATABASE_URL" "$db")" -w -X -q -v ON_ERROR_STOP=1 \
    -c "CREATE EXTENSION IF NOT EXISTS vector; SELECT '[1,2,3]'::vector <=> '[1,2,4]'::vector;" \
    >/dev/null 2>&1 && ok=1
  psql_q -c "DROP DATABASE IF EXISTS $db" >/dev/null
  [ "$ok" -eq 1 ]
}

ensure_postgres() {
  parse_url "$DATABASE_URL"
  PG_HOST="$URL_HOST"
  PG_PORT="${URL_PORT:-5432}"
  PG_URL="$(pg_url_for_db "$DATABASE_URL" postgres)"
  PG_INSTALLED_NOW=0
  local where="${PG_HOST:-local socket}:$PG_PORT"

  if ! pg_ready; then
    if ! is_local_host "$PG_HOST"; then
      warn "PostgreSQL at $where is not reachable; it is not local, so not installing/starting it"
      return
    fi
    start_local_postgres
  fi

  if ! command -v psql >/dev/null 2>&1; then
    if is_local_host "$PG_HOST"; then
      apt_install postgresql-client
    else
      warn "psql not found; cannot check for pgvector on $where"
      return
    fi
  fi

  local server_num major
  server_num="$(psql_q -c 'show server_version_num')" \
    || die "PostgreSQL at $where answers but refuses the connection for $(echo "$PG_URL" | sed -E 's#//([^:@/]*):[^@/]*@#//\1:***@#')"
  major=$((server_num / 10000))

  if ! has_vector; then
    # Build only into a cluster that really runs on this machine (not a container that happens to
    # be published on localhost, nor a remote server).
    if is_local_host "$PG_HOST" && [ -n "$(local_cluster online)" ] \
        && [ "$(local_cluster online | cut -d' ' -f1)" = "$major" ]; then
      build_pgvector "$major"
      has_vector || die "pgvector was built but PostgreSQL does not list it"
      verify_vector || die "pgvector is installed but CREATE EXTENSION vector failed"
      log "pgvector installed and verified"
    else
      warn "PostgreSQL at $where has no pgvector extension (it is not a local Debian cluster, so not building it here; use the pgvector/pgvector image)"
      return
    fi
  fi
  local vv
  vv="$(psql_q -c "SELECT default_version FROM pg_available_extensions WHERE name='vector'")"
  log "postgres $where ok (PostgreSQL $major, pgvector $vv)"
}

# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------
redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    local out
    out="$(timeout 3 redis-cli -u "$REDIS_URL" ping 2>&1 || true)"
    [[ "$out" == *PONG* || "$out" == *NOAUTH* || "$out" == *WRONGPASS* ]]
  else
    local host="${REDIS_HOST#[}"; host="${host%]}"
    timeout 3 bash -c "exec 3<>/dev/tcp/${host:-127.0.0.1}/$REDIS_PORT && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q -e '+PONG' -e '-NOAU' -e '-WRON'" 2>/dev/null
  fi
}

ensure_redis() {
  parse_url "$REDIS_URL"
  REDIS_HOST="$URL_HOST"
  REDIS_PORT="${URL_PORT:-6379}"
  local where="${REDIS_HOST:-127.0.0.1}:$REDIS_PORT"

  if redis_ping; then
    log "redis $where ok"
    return
  fi
  if ! is_local_host "$REDIS_HOST"; then
    warn "Redis at $where is not reachable; it is not local, so not installing/starting it"
    return
  fi
  if tcp_open "$REDIS_HOST" "$REDIS_PORT"; then
    die "something is listening on $where but does not answer Redis PING"
  fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  if ! redis_ping; then # the package's postinst may already have started one
    log "starting redis-server on 127.0.0.1:$REDIS_PORT"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
    local i
    for i in $(seq 1 20); do redis_ping && break; sleep 0.25; done
  fi
  redis_ping || die "redis-server did not answer on $where"
  log "redis $where ok"
}

# ---------------------------------------------------------------------------------------------
# Chromium (only with --browser)
# ---------------------------------------------------------------------------------------------
ensure_browser() {
  # CHROMIUM_PATH points at an existing Chromium/Chrome (GitHub's runners ship Google Chrome).
  local path="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ ! -x "$path" ]; then
    [ -z "${CHROMIUM_PATH:-}" ] || die "CHROMIUM_PATH=$path is not an executable"
    apt_install chromium
  fi
  log "chromium $("$path" --version 2>/dev/null | grep -oE '[0-9]+(\.[0-9]+)+' | head -1) ok ($path)"
}

ensure_pnpm
ensure_postgres
ensure_redis
[ "$WANT_BROWSER" -eq 0 ] || ensure_browser
