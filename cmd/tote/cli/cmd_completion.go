package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// subcommands are the words some commands take before their flags.
var subcommands = map[string][]string{
	"runs":       {"list", "show"},
	"export":     {"products"},
	"completion": {"bash", "zsh", "fish"},
}

// cmdCompletion prints a completion script generated from the command
// table, so every command and flag tote has is completed.
func cmdCompletion(ctx context.Context, env Env, args []string) int {
	fs := newFlags("completion", "completion bash|zsh|fish", env.Stderr)
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) != 1 {
		fmt.Fprintln(env.Stderr, "Error: completion takes one shell: bash, zsh or fish")
		return exitError
	}
	cmds := completionTable(ctx)
	switch pos[0] {
	case "bash":
		writeBash(env.Stdout, cmds)
	case "zsh":
		writeZsh(env.Stdout, cmds)
	case "fish":
		writeFish(env.Stdout, cmds)
	default:
		fmt.Fprintf(env.Stderr, "Error: no completion for shell %q; tote knows bash, zsh and fish\n", pos[0])
		return exitError
	}
	return exitOK
}

type completionEntry struct {
	name, summary string
	words, flags  []string
}

func completionTable(ctx context.Context) []completionEntry {
	var out []completionEntry
	for _, c := range commands() {
		out = append(out, completionEntry{name: c.name, summary: c.summary, words: subcommands[c.name], flags: commandFlags(ctx, c)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func writeBash(w io.Writer, cmds []completionEntry) {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintln(w, "# bash completion for tote; load with: source <(tote completion bash)")
	fmt.Fprintln(w, "_tote() {")
	fmt.Fprintln(w, `  local cur="${COMP_WORDS[COMP_CWORD]}"`)
	fmt.Fprintln(w, "  if [ \"$COMP_CWORD\" -eq 1 ]; then")
	fmt.Fprintf(w, "    COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(names, " "))
	fmt.Fprintln(w, "    return")
	fmt.Fprintln(w, "  fi")
	fmt.Fprintln(w, "  local words=\"\"")
	fmt.Fprintln(w, "  case \"${COMP_WORDS[1]}\" in")
	for _, c := range cmds {
		ws := c.completions()
		fmt.Fprintf(w, "    %s) words=%q ;;\n", c.name, strings.Join(ws, " "))
	}
	fmt.Fprintln(w, "  esac")
	fmt.Fprintln(w, `  COMPREPLY=($(compgen -W "$words" -- "$cur"))`)
	fmt.Fprintln(w, `  if [ ${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=($(compgen -f -- "$cur")); fi`)
	fmt.Fprintln(w, "}")
	fmt.Fprintln(w, "complete -o default -F _tote tote")
}

// completions are what may follow the command: its flags, then its words.
func (c completionEntry) completions() []string {
	var ws []string
	for _, f := range c.flags {
		ws = append(ws, "-"+f)
	}
	return append(ws, c.words...)
}

func writeZsh(w io.Writer, cmds []completionEntry) {
	fmt.Fprintln(w, "#compdef tote")
	fmt.Fprintln(w, "# zsh completion for tote; load with: source <(tote completion zsh)")
	fmt.Fprintln(w, "_tote() {")
	fmt.Fprintln(w, "  local -a commands")
	fmt.Fprintln(w, "  commands=(")
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s\n", shellQuote(c.name+":"+c.summary))
	}
	fmt.Fprintln(w, "  )")
	fmt.Fprintln(w, "  if (( CURRENT == 2 )); then")
	fmt.Fprintln(w, "    _describe 'command' commands")
	fmt.Fprintln(w, "    return")
	fmt.Fprintln(w, "  fi")
	fmt.Fprintln(w, "  local -a opts")
	fmt.Fprintln(w, "  case ${words[2]} in")
	for _, c := range cmds {
		ws := c.completions()
		fmt.Fprintf(w, "    %s) opts=(%s) ;;\n", c.name, strings.Join(ws, " "))
	}
	fmt.Fprintln(w, "  esac")
	fmt.Fprintln(w, "  compadd -a opts")
	fmt.Fprintln(w, "  _files")
	fmt.Fprintln(w, "}")
	fmt.Fprintln(w, "if [ \"$funcstack[1]\" = \"_tote\" ]; then _tote \"$@\"; else compdef _tote tote; fi")
}

func writeFish(w io.Writer, cmds []completionEntry) {
	fmt.Fprintln(w, "# fish completion for tote; load with: tote completion fish | source")
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintln(w, "complete -c tote -f")
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c tote -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n", strings.Join(names, " "), c.name, shellQuote(c.summary))
	}
	for _, c := range cmds {
		for _, f := range c.flags {
			fmt.Fprintf(w, "complete -c tote -n '__fish_seen_subcommand_from %s' -o %s\n", c.name, f)
		}
		for _, word := range c.words {
			fmt.Fprintf(w, "complete -c tote -n '__fish_seen_subcommand_from %s' -a %s\n", c.name, word)
		}
	}
}
