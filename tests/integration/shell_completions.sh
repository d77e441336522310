#!/bin/bash
# The bash completion script asks the binary (no lists of its own); the zsh
# and fish scripts parse; `make install` puts all three in their directories.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"
NFSH=${NFSH:-nfsh}
SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ST=$(mktemp -d)
trap 'rm -rf "$ST"' EXIT

. "$SRC/completions/nfsh.bash"
# comp LINE: COMPREPLY for the line, the last word being completed.
comp() {
	read -ra COMP_WORDS <<<"$1"
	[[ $1 == *' ' ]] && COMP_WORDS+=("")
	COMP_WORDS[0]=$NFSH
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_nfsh 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}"
}
expect_eq "bash: a subcommand" "$(comp 'nfsh transl')" "translate"
expect_eq "bash: a long option" "$(comp 'nfsh --appe')" "--append"
expect_eq "bash: a comma list" "$(comp 'nfsh -A INPUT -m conntrack --ctstate NEW,REL')" "NEW,RELATED"
check "bash: match names from the registry" bash -c "$(declare -f comp _nfsh); NFSH=$NFSH; comp 'nfsh -A INPUT -m ' | grep -qx conntrack"
$NFSH -N mychain
expect_eq "bash: live user chains" "$(comp 'nfsh -A myc')" "mychain"
check "no option list is hard-coded in the scripts" bash -c "! grep -l -- '--ctstate' $SRC/completions/*"
if command -v zsh >/dev/null; then check "zsh script parses" zsh -n "$SRC/completions/_nfsh"; fi
if command -v fish >/dev/null; then check "fish script parses" fish -n "$SRC/completions/nfsh.fish"; fi

if [ -n "${BUILDDIR:-}" ] && [ -f "$BUILDDIR/cmake_install.cmake" ]; then
	DESTDIR=$ST/root cmake --install "$BUILDDIR" --prefix /usr/local >/dev/null 2>&1
	check "installs the bash completion" test -f "$ST/root/usr/local/share/bash-completion/completions/nfsh"
	check "installs the zsh completion" test -f "$ST/root/usr/local/share/zsh/site-functions/_nfsh"
	check "installs the fish completion" test -f "$ST/root/usr/local/share/fish/vendor_completions.d/nfsh.fish"
fi
finish
