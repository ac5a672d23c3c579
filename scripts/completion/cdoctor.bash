# bash completion for cdoctor and cflame (installed as
# share/bash-completion/completions/{cdoctor,cflame}).
# Commands and options come from the tools' own --help, so they follow
# whatever the installed version has; recordings (*.cdr) and files are
# completed where a command takes them.

_cdoc_words() {
	# $1: tool, $2: command or empty -> the commands, or that command's options
	if [ -z "$2" ]; then
		"$1" --help 2>/dev/null | awk '/^  [a-z][a-z-]* /{print $1}'
	else
		"$1" "$2" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
	fi
}

_cdoc_complete() {
	local tool=$1 cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$(_cdoc_words "$tool") --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--folded | --tui)
		COMPREPLY=($(compgen -W "cpu alloc alloc_bytes alloc_count leak leaked_bytes leaked_count peak peak_bytes live live_bytes temp temp_count" -- "$cur"))
		[ "$prev" = --tui ] && COMPREPLY+=($(compgen -f -X '!*.cdr' -- "$cur"))
		return ;;
	-o | --output | --html | --report | --baseline | --shim | --dump)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--call-graph)
		COMPREPLY=($(compgen -W "dwarf fp auto" -- "$cur"))
		return ;;
	-e | --event)
		COMPREPLY=($(compgen -W "cpu-clock task-clock page-faults context-switches cycles instructions cache-misses" -- "$cur"))
		return ;;
	-p | --pid)
		COMPREPLY=($(compgen -W "$(ps -e -o pid= 2>/dev/null)" -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_cdoc_words "$tool" "$cmd")" -- "$cur"))
	elif [ "$tool" = cdoctor ] && [ "$cmd" = run ]; then
		COMPREPLY=($(compgen -c -- "$cur") $(compgen -f -- "$cur"))
	elif [ "$tool" = cdoctor ] && [ "$cmd" = report ]; then
		COMPREPLY=($(compgen -f -X '!*.cdr' -- "$cur") $(compgen -d -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

_cdoctor() { _cdoc_complete cdoctor; }
_cflame() { _cdoc_complete cflame; }
complete -o filenames -F _cdoctor cdoctor
complete -o filenames -F _cflame cflame
