package aci

import "strings"

// SplitCommand splits "CMD ARGS" into words as a POSIX shell would for a
// simple command: whitespace separates, single quotes keep everything,
// double quotes keep everything but backslash escapes, backslash escapes the
// next character. Nothing is expanded.
func SplitCommand(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word
		quote byte
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\\':
			if i+1 >= len(s) {
				return nil, invalid("command %q ends with a backslash", s)
			}
			i++
			if quote == '"' && !strings.ContainsRune("\"\\$`", rune(s[i])) {
				cur.WriteByte('\\')
			}
			cur.WriteByte(s[i])
			in = true
		case quote == '"':
			if c == '"' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if quote != 0 {
		return nil, invalid("command %q has an unclosed quote", s)
	}
	if in {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, invalid("empty command")
	}
	return words, nil
}
