# bash completion for modguard-rmmod(8)                     -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0
#
# Installed as /usr/share/bash-completion/completions/modguard-rmmod; works
# without bash-completion too (its helpers are used where they are loaded).
# The options here must agree with --help and the man page
# (tests/host/docs-agree.sh checks it).

# the names of the loaded modules; _modguard_proc_modules stands in for
# /proc/modules in tests
_modguard_rmmod_modules()
{
	local f=${_modguard_proc_modules:-/proc/modules} name rest

	[[ -r $f ]] || return 0
	while read -r name rest; do
		printf '%s\n' "$name"
	done <"$f"
}

_modguard_rmmod()
{
	local cur prev words cword split
	if declare -F _init_completion >/dev/null; then
		_init_completion -s || return
	else
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
	fi

	local opts='-t --timeout --dry-run -f --force -j --json --socket
		-s --syslog -v --verbose -h --help -V --version'

	case $prev in
	-t | --timeout)
		# seconds
		return
		;;
	--socket)
		if declare -F _filedir >/dev/null; then
			_filedir
		else
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		return
		;;
	esac
	[[ $split == true ]] && return

	local i dashdash=0
	for ((i = 1; i < cword; i++)); do
		[[ ${words[i]} == -- ]] && dashdash=1
	done
	if [[ $cur == -* ]] && ((!dashdash)); then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	# a MODULE: a loaded module's name, or a path to its .ko file
	if [[ $cur == */* ]]; then
		if declare -F _filedir >/dev/null; then
			_filedir '@(ko|ko.*)'
		else
			compopt -o filenames 2>/dev/null
			local f
			COMPREPLY=()
			while IFS= read -r f; do
				[[ -d $f || $f == *.ko || $f == *.ko.* ]] &&
					COMPREPLY+=("$f")
			done < <(compgen -f -- "$cur")
		fi
		return
	fi
	mapfile -t COMPREPLY < <(compgen -W "$(_modguard_rmmod_modules)" -- "$cur")
}
complete -F _modguard_rmmod modguard-rmmod
