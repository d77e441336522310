# fish completion for nfsh: fish reads TEXT<TAB>DESCRIPTION lines, which is
# what `nfsh --complete --describe WORDS... CURRENT` prints. No option lists here.
function __nfsh_complete
	set -l tokens (commandline -opc)
	set -l cur (commandline -ct)
	$tokens[1] --complete --describe $tokens[2..-1] "$cur" 2>/dev/null
end
complete -c nfsh -f -a '(__nfsh_complete)'
