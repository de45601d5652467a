# bash completion for modguard(8) and modguardd(8)          -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0
#
# Installed as /usr/share/bash-completion/completions/modguard.  The
# bash-completion loader finds a file by the command's name, so modguardd's
# completion needs this file under that name too (a symlink).  It works
# without bash-completion as well (sourced from ~/.bashrc): its helpers are
# used where they are loaded.  The options and commands here must agree
# with --help and the man pages (tests/host/docs-agree.sh checks it).

# the names of the loaded modules; _modguard_proc_modules stands in for
# /proc/modules in tests
_modguard_modules()
{
	local f=${_modguard_proc_modules:-/proc/modules} name rest

	[[ -r $f ]] || return 0
	while read -r name rest; do
		printf '%s\n' "$name"
	done <"$f"
}

# cur, prev, words, cword and split of the caller (bash-completion's names),
# "--opt=value" split into prev=--opt, cur=value
_modguard_init()
{
	if declare -F _init_completion >/dev/null; then
		_init_completion -s
		return
	fi
	words=("${COMP_WORDS[@]}")
	cword=$COMP_CWORD
	cur=${words[cword]}
	prev=
	((cword > 0)) && prev=${words[cword - 1]}
	split=false
	# bash splits "--opt=value" at '=' (COMP_WORDBREAKS): --opt = value
	if [[ $cur == = ]]; then
		cur=
		split=true
	elif [[ $prev == = ]] && ((cword >= 2)); then
		prev=${words[cword - 2]}
		split=true
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
		split=true
	fi
	return 0
}

# COMPREPLY: the words of $1 that start with $cur
_modguard_reply()
{
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

# COMPREPLY: files (-d: folders) that start with $cur
_modguard_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir "$@"
		return
	fi
	compopt -o filenames 2>/dev/null
	if [[ ${1-} == -d ]]; then
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

# the command a word names: itself, or the one command it is a unique
# prefix of (as modguard takes it); nothing when unknown or ambiguous
_modguard_command()
{
	local c found=

	for c in status report history clear-quarantine modprobe-hook help; do
		if [[ $c == "$1" ]]; then
			printf '%s\n' "$c"
			return
		fi
		if [[ $c == "$1"* ]]; then
			[[ -n $found ]] && return
			found=$c
		fi
	done
	[[ -n $found ]] && printf '%s\n' "$found"
}

_modguard()
{
	local cur prev words cword split
	_modguard_init || return

	local opts='--socket --rmmod-path -j --json -p --pretty -v --verbose -h
		--help --version'
	local cmds='status report history clear-quarantine modprobe-hook help'

	case $prev in
	--socket | --rmmod-path)
		_modguard_files
		return
		;;
	esac
	# "--opt=" of an option that takes no value
	[[ $split == true ]] && return

	# the command (options may come before or after it) and its arguments
	local i w cmd='' nargs=0 dashdash=0
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if ((dashdash)) || [[ $w != -* ]]; then
			if [[ -z $cmd ]]; then
				cmd=$(_modguard_command "$w")
				[[ -n $cmd ]] || return
			else
				((nargs++))
			fi
		elif [[ $w == -- ]]; then
			dashdash=1
		elif [[ $w == --socket || $w == --rmmod-path ]]; then
			# its value, also as "--socket" "=" "value"
			((i++))
			[[ ${words[i]} == = ]] && ((i++))
		fi
	done

	if [[ $cur == -* ]] && ((!dashdash)); then
		_modguard_reply "$opts"
		return
	fi
	case $cmd in
	'')
		_modguard_reply "$cmds"
		;;
	report | modprobe-hook)
		_modguard_reply "$(_modguard_modules)"
		;;
	clear-quarantine)
		((nargs == 0)) && _modguard_reply "$(_modguard_modules)"
		;;
	esac
}
complete -F _modguard modguard

_modguardd()
{
	local cur prev words cword split
	_modguard_init || return

	local opts='--socket --state-dir --pin-dir --no-pin --keep-enforcing
		--advisory --keep-refusals --refusal-days --metrics-file --syslog
		-v --verbose -h --help --version'

	case $prev in
	--socket | --metrics-file)
		_modguard_files
		return
		;;
	--state-dir | --pin-dir)
		_modguard_files -d
		return
		;;
	--keep-refusals | --refusal-days)
		# a number
		return
		;;
	esac
	[[ $split == true ]] && return
	# modguardd takes no operands: only options
	_modguard_reply "$opts"
}
complete -F _modguardd modguardd
