# bash completion for kas: commands, each command's options (read from its
# own --help, so it never falls out of step), and option values.
# Installed as share/bash-completion/completions/kas.

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
  local commands="lookup resolve decode vmlinux module census daemon"

  if [ "$cword" -eq 1 ]; then
    mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
    return
  fi
  local command=${words[1]}

  case $prev in
    --kernel)
      local releases
      releases=$(ls /usr/lib/debug/boot 2>/dev/null | sed -n 's/^vmlinux-//p'; ls /lib/modules 2>/dev/null)
      mapfile -t COMPREPLY < <(compgen -W "$releases" -- "$cur")
      return ;;
    --color)
      mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
      return ;;
    --tree|--debug-root|--modules|--srctree)
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      return ;;
    --vmlinux|--nm|--elf|--census|--modules-order|--system-map|--output|-o|--socket)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return ;;
    --jobs|-j|--limit|--separator)
      return ;;
  esac

  if [ "$command" = daemon ] && [ "$cword" -eq 2 ]; then
    mapfile -t COMPREPLY < <(compgen -W "start stop status" -- "$cur")
    return
  fi
  if [[ $cur == -* ]]; then
    local options
    options=$("$kas" "$command" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
    return
  fi
  case $command in
    module|vmlinux) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
  esac
}
complete -F _kas kas
