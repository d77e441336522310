# bash completion for nfsh. No option list lives here: every candidate comes
# from the binary itself (`nfsh --complete WORDS... CURRENT`), which reads the
# same option tables and extension registry as the parser.
_nfsh() {
	local cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n'
	local prog=${COMP_WORDS[0]}

	COMPREPLY=($("$prog" --complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null))
	# Comma lists and directories go on without a blank.
	if [[ ${#COMPREPLY[@]} -eq 1 && (${COMPREPLY[0]} == */ || $cur == *,*) ]]; then
		compopt -o nospace 2>/dev/null
	fi
	return 0
}
complete -F _nfsh nfsh
