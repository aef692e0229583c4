package lang

import "unicode/utf8"

// maxSuggestName bounds the names Nearest looks at: a typo of a real name
// is short, and an edit-distance table for a megabyte-long name from a
// hostile input would cost time and memory per candidate.
const maxSuggestName = 64

// Nearest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo (at most a third of the name's
// length, and at least one edit). Names longer than maxSuggestName runes
// get no suggestion.
func Nearest(name string, candidates []string) string {
	n := utf8.RuneCountInString(name)
	if n > maxSuggestName {
		return ""
	}
	best, bestD := "", len(name)/3+1
	for _, c := range candidates {
		// The distance is at least the difference in length, so a
		// candidate much longer or shorter cannot win: skip it before
		// building its table (this also skips huge candidates).
		if len(c) > 4*(n+bestD) {
			continue
		}
		if diff := utf8.RuneCountInString(c) - n; diff > bestD || -diff > bestD {
			continue
		}
		if d := editDistance(name, c); d < bestD || (d == bestD && best != "" && c < best) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance over runes:
// insertions, deletions, substitutions and transpositions of neighbours
// ("cdir" for "cidr") each cost one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
