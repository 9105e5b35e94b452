#!/usr/bin/env bash
# A throwaway OpenSSH server for the SSH launcher tests, on this machine only.
#
#   scripts/sshd.sh start [DIR]   install openssh-server if missing; start sshd on 127.0.0.1 (a free port) and, when
#                                 network namespaces work, a second sshd in a namespace of its own ("a second host",
#                                 10.231.5.2:22, reached over a veth pair); fresh host and client keys in DIR
#                                 (default /tmp/jmirai-sshd). Prints the line to eval:
#                                   export JMIRAI_SSH_TEST_DIR=DIR
#   scripts/sshd.sh stop [DIR]    stop both servers, delete the namespace and DIR
#
# DIR then holds what the tests read: port (the loopback server's), ssh_config (identity and known hosts for every
# host; use with ssh -F), client_key, and netns_host (absent when no namespace could be made).
# Logs go to stderr; only the export line goes to stdout. Every wait is bounded.
set -euo pipefail

NETNS=jmirai-sshns
VETH_HOST=jm-veth0
VETH_NS=jm-veth1
HOST_ADDR=10.231.5.1
NS_ADDR=10.231.5.2

log() { echo "sshd.sh: $*" >&2; }

install_if_missing() {
    if [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null; then
        return
    fi
    log "installing openssh-server"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server openssh-client >&2
}

write_config() { # $1 = config file, $2 = listen address, $3 = port, $4 = pid file
    cat >"$1" <<CONF
ListenAddress $2
Port $3
HostKey $D/host_ed25519_key
PidFile $4
AuthorizedKeysFile $D/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
GatewayPorts no
X11Forwarding no
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel VERBOSE
CONF
}

kill_pidfile() { # $1 = pid file; TERM, then KILL after 5 s
    [ -f "$1" ] || return 0
    local pid
    pid=$(cat "$1" 2>/dev/null || true)
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

start_netns() {
    command -v ip >/dev/null || { log "no ip command: no namespace host"; return 1; }
    ip netns del "$NETNS" 2>/dev/null || true
    ip link del "$VETH_HOST" 2>/dev/null || true
    ip netns add "$NETNS" &&
        ip link add "$VETH_HOST" type veth peer name "$VETH_NS" &&
        ip link set "$VETH_NS" netns "$NETNS" &&
        ip addr add "$HOST_ADDR/24" dev "$VETH_HOST" && ip link set "$VETH_HOST" up &&
        ip netns exec "$NETNS" ip addr add "$NS_ADDR/24" dev "$VETH_NS" &&
        ip netns exec "$NETNS" ip link set "$VETH_NS" up &&
        ip netns exec "$NETNS" ip link set lo up || { log "cannot make a network namespace"; stop_netns; return 1; }
    write_config "$D/sshd_config_ns" "$NS_ADDR" 22 "$D/sshd-ns.pid"
    ip netns exec "$NETNS" /usr/sbin/sshd -f "$D/sshd_config_ns" -E "$D/sshd-ns.log" ||
        { log "sshd in the namespace did not start: $(tail -3 "$D/sshd-ns.log" 2>/dev/null)"; stop_netns; return 1; }
    echo "$NS_ADDR" >"$D/netns_host"
}

stop_netns() {
    kill_pidfile "$D/sshd-ns.pid"
    ip netns del "$NETNS" 2>/dev/null || true
    ip link del "$VETH_HOST" 2>/dev/null || true
}

start() {
    install_if_missing
    stop 2>/dev/null || true
    mkdir -p "$D" && chmod 700 "$D"
    ssh-keygen -q -t ed25519 -N '' -C jmirai-test-host -f "$D/host_ed25519_key"
    ssh-keygen -q -t ed25519 -N '' -C jmirai-test-client -f "$D/client_key"
    cp "$D/client_key.pub" "$D/authorized_keys"
    mkdir -p /run/sshd && chmod 0755 /run/sshd # privilege separation directory (a tmpfs; gone after reboot)
    local port="" try
    for try in $(seq 20); do
        try=$((20000 + RANDOM % 20000))
        write_config "$D/sshd_config" 127.0.0.1 "$try" "$D/sshd.pid"
        /usr/sbin/sshd -t -f "$D/sshd_config"
        # In daemon mode sshd exits non-zero when it cannot bind, so a taken port shows at once.
        if /usr/sbin/sshd -f "$D/sshd_config" -E "$D/sshd.log"; then
            port=$try
            break
        fi
    done
    [ -n "$port" ] || { log "sshd did not start: $(tail -3 "$D/sshd.log")"; exit 1; }
    echo "$port" >"$D/port"
    local key
    key=$(cut -d' ' -f1,2 "$D/host_ed25519_key.pub")
    echo "[127.0.0.1]:$port $key" >"$D/known_hosts"
    if start_netns; then
        echo "$NS_ADDR $key" >>"$D/known_hosts"
    fi
    cat >"$D/ssh_config" <<CONF
Host *
    IdentityFile $D/client_key
    IdentitiesOnly yes
    UserKnownHostsFile $D/known_hosts
    StrictHostKeyChecking yes
    LogLevel ERROR
CONF
    # Bounded readiness check: one real login on each server.
    local ok=""
    for _ in $(seq 50); do
        if ssh -F "$D/ssh_config" -o BatchMode=yes -o ConnectTimeout=5 -p "$port" root@127.0.0.1 true 2>/dev/null; then
            ok=1
            break
        fi
        sleep 0.1
    done
    [ -n "$ok" ] || { log "cannot log in to sshd: $(tail -5 "$D/sshd.log")"; exit 1; }
    if [ -f "$D/netns_host" ] &&
        ! ssh -F "$D/ssh_config" -o BatchMode=yes -o ConnectTimeout=5 "root@$NS_ADDR" true 2>/dev/null; then
        log "cannot log in to the namespace host; tunnel tests will have no second host"
        stop_netns
        rm -f "$D/netns_host"
    fi
    log "sshd on 127.0.0.1:$port$([ -f "$D/netns_host" ] && echo " and $NS_ADDR:22 (namespace $NETNS)"), files in $D"
    echo "export JMIRAI_SSH_TEST_DIR=$D"
}

stop() {
    kill_pidfile "$D/sshd.pid"
    stop_netns
    rm -rf "$D"
}

D=${2:-${JMIRAI_SSH_TEST_DIR:-/tmp/jmirai-sshd}}
case "${1:-}" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 64
    ;;
esac
