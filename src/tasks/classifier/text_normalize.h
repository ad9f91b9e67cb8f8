// Text as the classifier and the keyword clustering see it: case-folded, accents and
// compatibility forms removed ("Éte" and "ete" are one word, so are "ﬁ" and "fi"), split
// into words of letters and digits. French users type with and without accents, and
// support tickets mix both; folding makes them one feature.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tq::tasks {

// Lower-cased, accent-free text: letters and digits kept, every run of other characters
// (spaces, punctuation, control bytes, invalid UTF-8) becomes one space; currency and
// other symbols (€, $, %) stay as their own words. œ/æ become oe/ae.
std::string fold_text(std::string_view text);

// The words of fold_text(text), in order.
std::vector<std::string> fold_words(std::string_view text);

// Splits `word` into its characters (one UTF-8 sequence each): n-grams over
// characters must not split a multi-byte character.
std::vector<std::string_view> utf8_chars(std::string_view word);

}  // namespace tq::tasks
