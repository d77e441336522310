#!/usr/bin/env bash
# TOS, tos, AUDIT --type, CONNMARK shifts and tcpmss/ecn without -p tcp,
# applied for real in a private namespace:
#   * -S gives back the canonical iptables form of each rule (TOS/tos as
#     VALUE/MASK, AUDIT with the type written, -p tcp for tcpmss/ecn);
#   * each rule's listing, reloaded through nft -j -f (as nfsh's snapshots do),
#     gives the same kernel bytecode (nft --debug=netlink): libnftables 1.0.6
#     lists some forms so that they reload as another rule, nfsh avoids them;
#   * IPv4 TOS writes update the header checksum (csum_type 1);
#   * refusals exit 2, name the reason and leave the ruleset unchanged.
. "$SRCDIR/tests/lib/netns.sh"
netns_enter "$@"

: "${NFSH:?NFSH must name the nfsh binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# family|rule|-S line (the rule's own words when empty)
cat >"$tmp/cases" <<'CASES'
-4|-t mangle -A OUTPUT -j TOS --set-tos 0x1f|-A OUTPUT -j TOS --set-tos 0x1f/0xff
-4|-t mangle -A OUTPUT -j TOS --set-tos 0x10/0xfc|
-4|-t mangle -A OUTPUT -j TOS --set-tos 0x02/0x03|
-6|-t mangle -A OUTPUT -j TOS --set-tos Minimize-Delay|-A OUTPUT -j TOS --set-tos 0x10/0x3f
-6|-t mangle -A OUTPUT -j TOS --or-tos 0x12|-A OUTPUT -j TOS --set-tos 0x12/0x12
-6|-t mangle -A OUTPUT -j TOS --xor-tos 0x12|-A OUTPUT -j TOS --set-tos 0x12/0x00
-6|-t mangle -A OUTPUT -j TOS --set-tos 0x12/0x34|
-6|-t mangle -A OUTPUT -j TOS --set-tos 0xff|-A OUTPUT -j TOS --set-tos 0xff/0xff
-4|-A INPUT -m tos --tos Minimize-Delay|-A INPUT -m tos --tos 0x10/0x3f
-4|-A INPUT -m tos ! --tos 0xff|-A INPUT -m tos ! --tos 0xff/0xff
-4|-A INPUT -m tos ! --tos 0x10/0xfc|
-4|-A INPUT -m tos --tos 0x02/0x03|
-6|-A INPUT -m tos ! --tos 0x10|-A INPUT -m tos ! --tos 0x10/0xff
-6|-A INPUT -m tos --tos 0x0f/0x0f|
-6|-A INPUT -m tos --tos 0x04/0xfc|
-4|-A INPUT -j AUDIT --type drop|
-6|-A INPUT -j AUDIT --type reject|
-4|-A INPUT -j AUDIT --type accept|
-4|-A INPUT -m comment --comment hello -j AUDIT --type drop|
-4|-t mangle -A PREROUTING -j CONNMARK --set-mark 0x23/0x42 --right-shift-mark 5|-A PREROUTING -j CONNMARK --set-xmark 0x23/0x63 --right-shift-mark 5
-4|-t mangle -A PREROUTING -j CONNMARK --save-mark --nfmask 0xff --left-shift-mark 8|-A PREROUTING -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xffffffff --left-shift-mark 8
-6|-t mangle -A OUTPUT -j CONNMARK --restore-mark --ctmask 0xff00 --right-shift-mark 8|-A OUTPUT -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xff00 --right-shift-mark 8
-4|-A INPUT -m tcpmss --mss 42:1024|-A INPUT -p tcp -m tcpmss --mss 42:1024
-6|-A INPUT -m ecn --ecn-tcp-cwr|-A INPUT -p tcp -m ecn --ecn-tcp-cwr
-4|-A INPUT -m ecn ! --ecn-tcp-ece|-A INPUT -p tcp -m ecn ! --ecn-tcp-ece
CASES

bytecode() { nft --debug=netlink list ruleset | grep '^  \[' | grep -v '\[ counter'; }

while IFS='|' read -r fam rule want; do
	nft flush ruleset
	read -ra words <<<"$rule"
	if ! "$NFSH" "$fam" "${words[@]}" >"$tmp/out" 2>&1; then
		fail "$fam $rule: refused: $(head -2 "$tmp/out")"
		continue
	fi
	table=filter
	[ "${words[0]}" = -t ] && table=${words[1]}
	chain=$(printf '%s\n' "$rule" | sed -n 's/.*-A \([A-Z]*\).*/\1/p')
	[ -n "$want" ] || want=$(printf '%s\n' "$rule" | sed 's/^-t [a-z]* //')
	got=$("$NFSH" "$fam" -t "$table" -S "$chain" | grep -v '^-P')
	expect_eq "$fam $rule: -S" "$got" "$want"
	bytecode >"$tmp/a"
	nft -j list ruleset >"$tmp/j"
	nft flush ruleset
	if ! nft -j -f "$tmp/j" 2>"$tmp/err"; then
		fail "$fam $rule: its listing does not reload: $(head -2 "$tmp/err")"
		continue
	fi
	bytecode >"$tmp/b"
	if cmp -s "$tmp/a" "$tmp/b"; then
		pass "$fam $rule: the listing reloads as the same bytecode"
	else
		fail "$fam $rule: the listing reloads as another rule"
		diff "$tmp/a" "$tmp/b" | head -8 | sed 's/^/    /'
	fi
done <"$tmp/cases"

# IPv4 TOS writes go through ip dscp/ecn set, which update the checksum.
nft flush ruleset
"$NFSH" -t mangle -A OUTPUT -j TOS --set-tos 0x1f
expect_eq "IPv4 TOS writes update the header checksum" \
	"$(nft --debug=netlink list ruleset | grep -c 'payload write.*csum_type 1 csum_off 10')" 2

# Refusals: exit 2, the reason, nothing applied.
nft flush ruleset
"$NFSH" -A INPUT -j ACCEPT
before=$(nft list ruleset)
while IFS='|' read -r fam rule why; do
	read -ra words <<<"$rule"
	"$NFSH" "$fam" "${words[@]}" >"$tmp/out" 2>&1
	st=$?
	if [ "$st" = 2 ] && grep -q -- "$why" "$tmp/out" && [ "$(nft list ruleset)" = "$before" ]; then
		pass "$fam $rule: refused ($why)"
	else
		fail "$fam $rule: exit $st, want 2 with \"$why\" and no change: $(head -2 "$tmp/out")"
	fi
done <<'REFUSED'
-4|-t mangle -A OUTPUT -j TOS --set-tos Minimize-Delay|no exact native form for IPv4
-4|-t mangle -A OUTPUT -j TOS --and-tos 0x12|header checksum
-6|-t mangle -A OUTPUT -j TOS --and-tos 0x12|mask inverted
-6|-t mangle -A OUTPUT -j TOS --set-tos 0/0|changes no bit
-4|-A INPUT -m tos --tos 0x11/0x10|can never match
-4|-A INPUT -m tcpmss ! --mss 42|without an MSS option
-4|-A INPUT -p udp -m tcpmss --mss 42|needs -p tcp
-4|-A INPUT -p udp -m ecn --ecn-tcp-cwr|need -p tcp
-4|-t mangle -A OUTPUT -j CONNMARK --set-mark 1 --left-shift-mark 32|0-31
REFUSED

finish
