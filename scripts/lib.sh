# scripts/lib.sh: helpers shared by scripts/setup and scripts/test.

log() { printf '\033[1m%s:\033[0m %s\n' "$(basename "$0")" "$*" >&2; }

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		log "$1 needs root: run it with sudo (or install it yourself)"
		exit 1
	fi
}

# apt_install installs the Debian packages that are not installed yet,
# running apt-get update once per boot.
apt_install() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root "installing ${missing[*]}"
	log "installing ${missing[*]}"
	if [ ! -f /tmp/.kaicode-apt-updated ]; then
		apt-get update -qq && touch /tmp/.kaicode-apt-updated
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
