# bash completion for kas. It knows no command or option of its own: kas
# prints them from its command table (the hidden `kas --completion-table
# [COMMAND]`, described in client/cli/completion_table.hpp), so completion
# never falls out of step with the program or its --help.
# Installed as share/bash-completion/completions/kas.

# Completions of $cur for a value of KIND [WORD...], in COMPREPLY.
_kas_values() {
  local kind=$1
  shift
  case $kind in
    file) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    release)
      local releases
      releases=$(ls /usr/lib/debug/boot 2>/dev/null | sed -n 's/^vmlinux-//p'; ls /lib/modules 2>/dev/null)
      mapfile -t COMPREPLY < <(compgen -W "$releases" -- "$cur") ;;
    words) mapfile -t COMPREPLY < <(compgen -W "$*" -- "$cur") ;;
    *) COMPREPLY=() ;;
  esac
}

_kas() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  local kas=${words[0]}
  local table
  table=$("$kas" --completion-table 2>/dev/null) || return

  # The command is the first word after the global options and their values.
  local i=1 command= kind
  while [ "$i" -lt "$cword" ]; do
    local w=${words[i]}
    if [[ $w != -* ]]; then
      command=$w
      break
    fi
    kind=$(awk -v o="$w" '$1 == "option" && $2 == o { print $3 }' <<<"$table")
    [ -n "$kind" ] && i=$((i + 1))  # skip its value
    i=$((i + 1))
  done
  if [ -n "$command" ]; then
    table=$("$kas" --completion-table "$command" 2>/dev/null) || return
  fi

  # The value of an option.
  local value
  value=$(awk -v o="$prev" '$1 == "option" && $2 == o { $1 = ""; $2 = ""; print }' <<<"$table")
  if [ -n "${value// /}" ]; then
    # shellcheck disable=SC2086  # KIND WORD...: split on purpose
    _kas_values $value
    return
  fi

  if [[ $cur == -* ]]; then
    local options
    options=$(awk '$1 == "option" && $2 ~ /^--/ { print $2 }' <<<"$table")
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
    return
  fi
  if [ -z "$command" ]; then
    local commands
    commands=$(awk '$1 == "command" { print $2 }' <<<"$table")
    mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
    return
  fi
  local operands
  operands=$(awk '$1 == "operands" { $1 = ""; print }' <<<"$table")
  # shellcheck disable=SC2086
  [ -n "$operands" ] && _kas_values $operands
}
complete -F _kas kas
