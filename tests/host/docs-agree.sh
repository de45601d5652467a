#!/usr/bin/env bash
# Help, man page and completion agree (bpftool's practice), on the host.
#
#   tests/host/docs-agree.sh [BUILD_DIR]
#
# For modguardd, modguard and modguard-rmmod: the options that `--help`
# names, the options in the man page's OPTIONS section and the options
# the bash completion offers (its function run for "PROG -" and
# "PROG --", without bash-completion and with it where it is installed)
# are the same set; so are modguard's commands; where zsh is installed,
# its completion too.  Each man page renders with `man -l` without a
# warning and within 80 columns, has the sections a man page needs, and
# its EXIT STATUS lists the codes of --help, each with the same first
# word.  Every set is extracted from its source mechanically, and a
# self-check first proves that the comparison reports a difference.
# Needs man-db and groff-base (and bash; bash-completion and zsh are
# used where installed).  Prints "ok - ..." / "not ok - ..." lines.
set -u
# one order for sort and comm, whatever the locale (man runs in C.UTF-8,
# which every Debian has: a locale missing here is no fault of a page)
export LC_COLLATE=C

build=${1:-build}
src=$(cd "$(dirname "$0")/../.." && pwd)
man_dir=$src/docs/man
comp_dir=$src/dist/completion
progs="modguardd modguard modguard-rmmod"
# options for tests only: documented nowhere, offered by no completion
hidden="--proc-modules"
failed=0
ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	failed=1
}

tmp=$(mktemp -d /tmp/mg-docs.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# --- extraction: each prints one word a line, sorted, unique ----------

# words: the sorted set of its stdin's lines, without hidden options
words() {
	local h
	sort -u | while IFS= read -r h; do
		[ -n "$h" ] || continue
		case " $hidden " in *" $h "*) continue ;; esac
		printf '%s\n' "$h"
	done
}

# help_options: the options of --help's "Usage:" paragraph ("[-v] [-h]
# [--version]"), and the option words at the start of its option lines
# ("  -t, --timeout SECONDS  how long...", "      --socket PATH ..."); a
# continuation line is indented further and never starts with '-', and
# an option named inside a description ("implies --json") is not read
help_options() {
	local text line re='^(--?[A-Za-z0-9][A-Za-z0-9-]*)(=[A-Za-z_]+| [A-Z][A-Z_.]*)?(, *)?(.*)$'

	text=$(cat)
	{
		awk '/^Usage:/ { on = 1 } on && /^$/ { exit } on' <<<"$text" |
			sed 's/^Usage: *[^ ]*//' | option_words
		while IFS= read -r line; do
			[[ $line =~ ^\ {1,8}- ]] || continue
			line=${line#"${line%%[! ]*}"}
			while [[ $line =~ $re ]]; do
				printf '%s\n' "${BASH_REMATCH[1]}"
				[ -n "${BASH_REMATCH[3]}" ] || break
				line=${BASH_REMATCH[4]}
			done
		done <<<"$text"
	} | words
}

# help_commands: the first word of each line of the "Commands" paragraph
# indented by exactly two spaces (descriptions are indented further)
help_commands() {
	awk '/^Commands/ { on = 1; next }
	     on && /^$/ { on = 0 }
	     on && /^  [a-z]/ { print $1 }' | words
}

# help_exits: "CODE:firstword" of the "Exit status" paragraph, in either
# form: a list ("  0  success") or prose ("Exit status: 0 stopped by
# SIGTERM, 1 runtime failure, ...")
help_exits() {
	awk '/^Exit status/ { on = 1 } on && /^$/ { on = 0 } on' |
		grep -oE '(^|[:,]) *[0-9]+ +[A-Za-z]+' |
		sed -E 's/^[:,]? *([0-9]+) +([A-Za-z]+)$/\1:\2/' |
		tr '[:upper:]' '[:lower:]' | words
}

# help_envs: the $VARIABLES --help names
help_envs() {
	grep -oE '\$[A-Z][A-Z0-9_]+' | tr -d '$' | words
}

# man_section FILE NAME: the roff lines of section NAME (to the next .SH)
man_section() {
	awk -v want="$2" '
		/^\.SH/ {
			s = $0
			sub(/^\.SH[ \t]+/, "", s)
			gsub(/"/, "", s)
			on = (s == want)
			next
		}
		on' "$1"
}

# roff_text: roff lines as plain words: no macro name, font escape,
# quote or escaped hyphen
roff_text() {
	sed -E -e 's/^\.[A-Za-z]+[ \t]*//' -e 's/\\f(\[[A-Za-z]*\]|[A-Za-z])//g' \
		-e 's/\\-/-/g' -e 's/\\(~|&|%|e)/ /g' -e 's/"/ /g'
}

# man_tags FILE NAME: the tag line of each .TP of section NAME, as text
man_tags() {
	man_section "$1" "$2" | awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' |
		roff_text
}

# option words of text lines: '-x' or '--xx' not inside a word
option_words() {
	grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z0-9][A-Za-z0-9-]*' |
		sed -E 's/^[^-]*//' | words
}

# man_options FILE: the options OPTIONS' tags name
man_options() {
	man_tags "$1" OPTIONS | option_words
}

# man_synopsis_options FILE: the options SYNOPSIS names
man_synopsis_options() {
	man_section "$1" SYNOPSIS | roff_text | option_words
}

# man_commands FILE: the first word of each tag of COMMANDS
man_commands() {
	man_tags "$1" COMMANDS | awk '{ print $1 }' | words
}

# man_exits FILE: "CODE:firstword" of EXIT STATUS, the first word from
# the line after the tag
man_exits() {
	man_section "$1" "EXIT STATUS" |
		awk 'tag != "" { l = $0; sub(/^\.[A-Za-z]+[ \t]*/, "", l)
		                 print tag " " l; tag = "" }
		     tp { t = $0; sub(/^\.B[ \t]+/, "", t)
		          if (t ~ /^[0-9]+$/) tag = t; tp = 0 }
		     /^\.TP/ { tp = 1 }' |
		roff_text | awk '{ print $1 ":" $2 }' |
		sed -E 's/^([0-9]+):([A-Za-z]+).*$/\1:\2/' |
		tr '[:upper:]' '[:lower:]' | words
}

# man_envs FILE: the tags of ENVIRONMENT
man_envs() {
	man_tags "$1" ENVIRONMENT | awk '{ print $1 }' | words
}

# bash_complete FILE PROG [BASH_COMPLETION] -- WORD...: what PROG's bash
# completion function (as `complete -p PROG` names it, once FILE is
# sourced) puts in COMPREPLY for the command line "PROG WORD..." (the
# last word being completed), one a line; with bash-completion's own
# file sourced first when given
bash_complete() {
	local file=$1 prog=$2 bc=${3:-}
	shift 4
	MG_FILE=$file MG_PROG=$prog MG_BC=$bc bash --norc --noprofile -c '
		[ -n "$MG_BC" ] && . "$MG_BC"
		. "$MG_FILE" || exit 1
		spec=$(complete -p "$MG_PROG" 2>/dev/null) || {
			echo "no completion for $MG_PROG in $MG_FILE" >&2
			exit 1
		}
		fn=${spec#*-F }
		fn=${fn%% *}
		COMP_WORDS=("$MG_PROG" "$@")
		COMP_CWORD=$#
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		"$fn" "$MG_PROG" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$@"
}

# bash_options FILE PROG [BC]: the options offered for "PROG -" and
# "PROG --"
bash_options() {
	{
		bash_complete "$1" "$2" "${3:-}" -- - &&
			bash_complete "$1" "$2" "${3:-}" -- --
	} | words
}

# zsh_specs PROG: what _modguard hands to _arguments (one spec a line,
# "cmd NAME" for each command it describes), run with stubs of both
zsh_specs() {
	MG_FILE=$comp_dir/_modguard zsh -f -c '
		_arguments() { local a; for a; do print -r -- "$a"; done; return 1 }
		_describe() { local a; for a in "${(@P)${@[-1]}}"; do
			print -r -- "cmd ${a%%:*}"; done }
		service=$1 words=($1) CURRENT=2
		source "$MG_FILE"
		(( $+functions[_modguard_commands] )) && _modguard_commands
		return 0
	' zsh "$1"
}

# zsh_options PROG: the options of the _arguments specs ("(-j --json)-j[...]",
# "--socket=[...]:...", "-t+[...]"); _arguments' own flags have no '['
zsh_options() {
	zsh_specs "$1" | grep -F '[' | sed -E 's/^\([^)]*\)//; s/^\*//' |
		grep -oE '^--?[A-Za-z0-9][A-Za-z0-9-]*' | sed -E 's/-$//' | words
}

zsh_commands() {
	zsh_specs "$1" | sed -n 's/^cmd //p' | words
}

# --- comparison ----------------------------------------------------------

# agree WHAT LABEL_A FILE_A LABEL_B FILE_B: one "not ok" naming each word
# that is in one set and not the other; 0 when the sets are equal
agree() {
	local what=$1 la=$2 a=$3 lb=$4 b=$5 w rc=0

	while IFS= read -r w; do
		not_ok "$what: $w is in $la but not in $lb"
		rc=1
	done < <(comm -23 "$a" "$b")
	while IFS= read -r w; do
		not_ok "$what: $w is in $lb but not in $la"
		rc=1
	done < <(comm -13 "$a" "$b")
	return "$rc"
}

# nonempty WHAT FILE MIN: the set has MIN words at least (an extraction
# that found nothing would make every comparison pass)
nonempty() {
	local n
	n=$(wc -l <"$2")
	[ "$n" -ge "$3" ] && return 0
	not_ok "$1: the extraction finds $3 at least (found $n: $(tr '\n' ' ' <"$2"))"
	return 1
}

# --- self-check: the comparison and the extractors catch a difference ---

self_check() {
	local out rc
	printf '%s\n' --help --json --socket -h -j | words >"$tmp/self-a"
	# one option dropped (--json), one added (--jsno)
	printf '%s\n' --help --jsno --socket -h -j | words >"$tmp/self-b"
	out=$(agree "self-check" "list A" "$tmp/self-a" "list B" \
		"$tmp/self-b")
	rc=$?
	if [ "$rc" != 0 ] &&
		grep -qx 'not ok - self-check: --json is in list A but not in list B' <<<"$out" &&
		grep -qx 'not ok - self-check: --jsno is in list B but not in list A' <<<"$out" &&
		[ "$(grep -c '^not ok' <<<"$out")" = 2 ]; then
		ok "self-check: an altered option list is reported, naming the option on each side"
	else
		not_ok "self-check: an altered option list is reported (exit $rc, said: $out)"
	fi
	out=$(agree "self-check" "list A" "$tmp/self-a" "list B" \
		"$tmp/self-a")
	rc=$?
	if [ "$rc" = 0 ] && [ -z "$out" ]; then
		ok "self-check: equal lists are not reported"
	else
		not_ok "self-check: equal lists are not reported (exit $rc, said: $out)"
	fi

	# the extractors, on a help text and a man page of known content
	cat >"$tmp/self-help" <<-'EOF'
	Usage: x [--usage-opt N] [-u]
	         [-w]

	Does things (unlike -r and --not-this).

	Options:
	  -t, --timeout SECONDS  wait (implies --not-this either)
	      --socket PATH      default $X_SOCKET
	  --keep N keep at most N (see --not-this)
	  -v, --verbose
	                    --not-a-continuation
	Exit status: 0 fine, 1 bad
	2 worse (not 3 either)
	EOF
	printf '%s\n' --keep --socket --timeout --usage-opt -t -u -v --verbose -w |
		words >"$tmp/self-want"
	help_options <"$tmp/self-help" >"$tmp/self-got"
	if cmp -s "$tmp/self-want" "$tmp/self-got"; then
		ok "self-check: --help's option words are extracted"
	else
		not_ok "self-check: --help's option words are extracted (got: $(tr '\n' ' ' <"$tmp/self-got"))"
	fi
	printf '%s\n' 0:fine 1:bad 2:worse | words >"$tmp/self-want"
	help_exits <"$tmp/self-help" >"$tmp/self-got"
	if cmp -s "$tmp/self-want" "$tmp/self-got"; then
		ok "self-check: --help's exit codes are extracted"
	else
		not_ok "self-check: --help's exit codes are extracted (got: $(tr '\n' ' ' <"$tmp/self-got"))"
	fi
	cat >"$tmp/self.8" <<-'EOF'
	.TH X 8
	.SH OPTIONS
	.TP
	.BR \-t ", " \-\-timeout " \fISECONDS\fR"
	Wait; see
	.BR \-\-not\-this .
	.TP
	.BI \-\-socket " PATH"
	Where.
	.SH "EXIT STATUS"
	.TP
	.B 0
	Fine.
	.TP
	.B 3
	.B x
	unreachable.
	.TP
	.B 4
	Stale: yes.
	.SH SEE ALSO
	.TP
	.B \-\-not\-this\-either
	EOF
	printf '%s\n' --socket --timeout -t | words >"$tmp/self-want"
	man_options "$tmp/self.8" >"$tmp/self-got"
	if cmp -s "$tmp/self-want" "$tmp/self-got"; then
		ok "self-check: the man page's option words are extracted"
	else
		not_ok "self-check: the man page's option words are extracted (got: $(tr '\n' ' ' <"$tmp/self-got"))"
	fi
	printf '%s\n' 0:fine 3:x 4:stale | words >"$tmp/self-want"
	man_exits "$tmp/self.8" >"$tmp/self-got"
	if cmp -s "$tmp/self-want" "$tmp/self-got"; then
		ok "self-check: the man page's exit codes are extracted"
	else
		not_ok "self-check: the man page's exit codes are extracted (got: $(tr '\n' ' ' <"$tmp/self-got"))"
	fi
}

# --- per program ---------------------------------------------------------

# bash_file PROG: the file whose completion covers PROG (modguardd's is
# in modguard's)
bash_file() {
	case $1 in
	modguard-rmmod) echo "$comp_dir/modguard-rmmod.bash" ;;
	*) echo "$comp_dir/modguard.bash" ;;
	esac
}

check_options() {
	local p=$1 page=$man_dir/$1.8 bc rc=0 f
	"$build/$p" --help >"$tmp/$p.help" 2>&1 || {
		not_ok "$p: --help exits 0"
		return
	}
	help_options <"$tmp/$p.help" >"$tmp/$p.help-opts"
	man_options "$page" >"$tmp/$p.man-opts"
	bash_options "$(bash_file "$p")" "$p" >"$tmp/$p.bash-opts" 2>"$tmp/err" ||
		not_ok "$p: its bash completion runs ($(head -3 "$tmp/err"))"
	for f in help man bash; do
		nonempty "$p options ($f)" "$tmp/$p.$f-opts" 4 || rc=1
	done
	agree "$p options" "--help" "$tmp/$p.help-opts" \
		"the man page's OPTIONS" "$tmp/$p.man-opts" || rc=1
	agree "$p options" "--help" "$tmp/$p.help-opts" \
		"the bash completion" "$tmp/$p.bash-opts" || rc=1
	[ "$rc" = 0 ] &&
		ok "$p: --help, the man page and the bash completion name the same $(wc -l <"$tmp/$p.help-opts") options"

	# again under bash-completion's own helpers (_init_completion, _filedir)
	bc=/usr/share/bash-completion/bash_completion
	if [ ! -r "$bc" ]; then
		ok "$p: the bash completion under bash-completion # skip: $bc is not installed"
	else
		bash_options "$(bash_file "$p")" "$p" "$bc" >"$tmp/$p.bc-opts" 2>"$tmp/err" ||
			not_ok "$p: its bash completion runs under bash-completion ($(head -3 "$tmp/err"))"
		agree "$p options" "--help" "$tmp/$p.help-opts" \
			"the bash completion under bash-completion" "$tmp/$p.bc-opts" &&
			ok "$p: the bash completion offers the same options under bash-completion"
	fi

	if command -v zsh >/dev/null; then
		zsh_options "$p" >"$tmp/$p.zsh-opts"
		agree "$p options" "--help" "$tmp/$p.help-opts" \
			"the zsh completion" "$tmp/$p.zsh-opts" &&
			ok "$p: the zsh completion offers the same options"
	else
		ok "$p: the zsh completion offers the same options # skip: zsh is not installed"
	fi

	# what the synopsis shows is documented
	man_synopsis_options "$page" >"$tmp/$p.syn-opts"
	if [ -s "$tmp/$p.syn-opts" ]; then
		comm -23 "$tmp/$p.syn-opts" "$tmp/$p.man-opts" >"$tmp/$p.syn-extra"
		if [ -s "$tmp/$p.syn-extra" ]; then
			while IFS= read -r f; do
				not_ok "$p man page: $f is in SYNOPSIS but not in OPTIONS"
			done <"$tmp/$p.syn-extra"
		else
			ok "$p man page: every option of SYNOPSIS is in OPTIONS"
		fi
	fi
}

check_commands() {
	local p=modguard rc=0 f
	help_commands <"$tmp/$p.help" >"$tmp/$p.help-cmds"
	man_commands "$man_dir/$p.8" >"$tmp/$p.man-cmds"
	bash_complete "$(bash_file $p)" $p "" -- "" 2>"$tmp/err" | words >"$tmp/$p.bash-cmds"
	for f in help man bash; do
		nonempty "$p commands ($f)" "$tmp/$p.$f-cmds" 3 || rc=1
	done
	agree "$p commands" "--help" "$tmp/$p.help-cmds" \
		"the man page's COMMANDS" "$tmp/$p.man-cmds" || rc=1
	agree "$p commands" "--help" "$tmp/$p.help-cmds" \
		"the bash completion" "$tmp/$p.bash-cmds" || rc=1
	if command -v zsh >/dev/null; then
		zsh_commands $p >"$tmp/$p.zsh-cmds"
		agree "$p commands" "--help" "$tmp/$p.help-cmds" \
			"the zsh completion" "$tmp/$p.zsh-cmds" || rc=1
	fi
	[ "$rc" = 0 ] &&
		ok "$p: --help, the man page and the completion name the same commands ($(tr '\n' ' ' <"$tmp/$p.help-cmds"| sed 's/ $//'))"

	# the module arguments come from /proc/modules (a stand-in here)
	printf '%s\n' "mg_tidy 16384 0 - Live 0xffffffffc0a00000" \
		"mg_busy 16384 1 - Live 0xffffffffc0a10000" >"$tmp/modules"
	local cmdline want got
	for cmdline in "report mg_" "rep mg_busy mg_" "modprobe-hook mg_" \
		"clear-quarantine mg_" "-j report mg_"; do
		# shellcheck disable=SC2086
		got=$(_modguard_proc_modules=$tmp/modules bash_complete \
			"$(bash_file $p)" $p "" -- $cmdline | words | tr '\n' ' ')
		want="mg_busy mg_tidy "
		if [ "$got" = "$want" ]; then
			ok "$p: bash completion of \"$p $cmdline\" offers the loaded modules"
		else
			not_ok "$p: bash completion of \"$p $cmdline\" offers the loaded modules (got: $got)"
		fi
	done
	got=$(_modguard_proc_modules=$tmp/modules bash_complete \
		"$(bash_file modguard-rmmod)" modguard-rmmod "" -- -v mg_ |
		words | tr '\n' ' ')
	if [ "$got" = "mg_busy mg_tidy " ]; then
		ok "modguard-rmmod: bash completion of a MODULE offers the loaded modules"
	else
		not_ok "modguard-rmmod: bash completion of a MODULE offers the loaded modules (got: $got)"
	fi
}

check_page() {
	local p=$1 page=$man_dir/$1.8 s out missing=
	if [ ! -r "$page" ]; then
		not_ok "$p: man page $page exists"
		return
	fi
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" FILES \
		ENVIRONMENT EXAMPLES "SEE ALSO"; do
		grep -qE "^\.SH +\"?$s\"?\$" "$page" || missing="$missing, $s"
	done
	if [ "$p" = modguard ] && ! grep -qE '^\.SH +"?COMMANDS"?$' "$page"; then
		missing="$missing, COMMANDS"
	fi
	if [ -z "$missing" ]; then
		ok "$p man page: has every section (EXIT STATUS among them)"
	else
		not_ok "$p man page: has every section (missing: ${missing#, })"
	fi

	if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
		not_ok "$p man page: renders (man and groff are missing: apt-get install man-db groff-base)"
		return
	fi
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -E UTF-8 -l "$page" 2>&1 >/dev/null)
	if [ -z "$out" ]; then
		ok "$p man page: man -l renders it without a warning"
	else
		not_ok "$p man page: man -l renders it without a warning"
		sed 's/^/#   /' <<<"$out" | head -20
	fi
	LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null | col -bx >"$tmp/$p.txt"
	out=$(awk 'length($0) > 80 { print NR ": " $0 }' "$tmp/$p.txt")
	if [ -s "$tmp/$p.txt" ] && [ -z "$out" ]; then
		ok "$p man page: fits in 80 columns"
	else
		not_ok "$p man page: fits in 80 columns"
		sed 's/^/#   /' <<<"$out" | head -10
	fi

	help_exits <"$tmp/$p.help" >"$tmp/$p.help-exits"
	man_exits "$page" >"$tmp/$p.man-exits"
	if ! grep -q '^0:' "$tmp/$p.help-exits"; then
		not_ok "$p exit codes: the extraction finds code 0 in --help (found: $(tr '\n' ' ' <"$tmp/$p.help-exits"))"
	elif ! grep -q '^0:' "$tmp/$p.man-exits"; then
		not_ok "$p exit codes: the extraction finds code 0 in the man page (found: $(tr '\n' ' ' <"$tmp/$p.man-exits"))"
	elif agree "$p exit status (code:first word)" "--help" "$tmp/$p.help-exits" \
			"the man page's EXIT STATUS" "$tmp/$p.man-exits"; then
		ok "$p man page: EXIT STATUS lists the codes of --help ($(cut -d: -f1 "$tmp/$p.help-exits" | tr '\n' ' ' | sed 's/ $//'))"
	fi

	help_envs <"$tmp/$p.help" >"$tmp/$p.help-envs"
	man_envs "$page" >"$tmp/$p.man-envs"
	out=$(comm -23 "$tmp/$p.help-envs" "$tmp/$p.man-envs" | tr '\n' ' ')
	if [ -z "$out" ]; then
		ok "$p man page: ENVIRONMENT has every variable --help names"
	else
		not_ok "$p man page: ENVIRONMENT has every variable --help names (missing: $out)"
	fi
}

self_check
for p in $progs; do
	if [ ! -x "$build/$p" ]; then
		not_ok "$p: $build/$p is built (make OUT=$build all)"
		continue
	fi
	check_options "$p"
	check_page "$p"
done
[ -x "$build/modguard" ] && check_commands
exit "$failed"
