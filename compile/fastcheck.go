package compile

import "strings"

// Fast acceptance of the string checks every emitted object repeats (cursor.check): a byte loop
// that accepts exactly what apimachinery's regular expression accepts. Most names are unique (a
// run's Job, its ServiceAccount, its RBAC), so a memo cannot help them, and the regular
// expressions were most of the cost of checking a valid object. A string the loop does not accept
// goes to apimachinery's function, which writes the messages; TestFastValidMatchesApimachinery and
// FuzzFastValid hold the loops to the library's answers.

// fastValid says whether s passes check fn; false means "ask the library" (for the checks
// without a loop, such as annotationKey, always).
func fastValid(fn checkFn, s string) bool {
	switch fn {
	case dnsLabel:
		return len(s) <= 63 && isDNSLabel(s)
	case dnsSubdomain:
		if len(s) > 253 {
			return false
		}
		for start := 0; ; {
			end := start
			for end < len(s) && s[end] != '.' {
				end++
			}
			if !isDNSLabel(s[start:end]) {
				return false
			}
			if end == len(s) {
				return true
			}
			start = end + 1
		}
	case labelValue:
		// (([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?, at most 63 bytes
		if len(s) > 63 {
			return false
		}
		if s == "" {
			return true
		}
		if !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
			return false
		}
		for i := 1; i < len(s)-1; i++ {
			if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
				return false
			}
		}
		return true
	case envVarName:
		// [-._a-zA-Z][-._a-zA-Z0-9]*, and no chdir prefix
		if s == "" || isDigit(s[0]) || !envChars(s) {
			return false
		}
		return !chdirPrefix(s)
	case configMapKey:
		// [-._a-zA-Z0-9]+, at most 253 bytes, and no chdir prefix
		return s != "" && len(s) <= 253 && envChars(s) && !chdirPrefix(s)
	}
	return false
}

// envChars says whether every byte of s is in [-._a-zA-Z0-9].
func envChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

// chdirPrefix is apimachinery's hasChDirPrefix: ".", "..", or a start of "..".
func chdirPrefix(s string) bool { return s == "." || strings.HasPrefix(s, "..") }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isDNSLabel matches [a-z0-9]([-a-z0-9]*[a-z0-9])? (no length limit: the callers have theirs).
func isDNSLabel(s string) bool {
	if s == "" || !isLowerAlnum(s[0]) || !isLowerAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isLowerAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || isDigit(c) }

func isAlnum(c byte) bool { return isLowerAlnum(c) || 'A' <= c && c <= 'Z' }
