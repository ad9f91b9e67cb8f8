// Common first names (INSEE fichier des prénoms for French, US SSA and ONS lists for
// English: the most frequent ones, written by hand here) and the capitalised words that
// must never be taken for a name.
#pragma once

#include <string_view>

namespace tq::guard {

bool is_first_name(std::string_view word);
// First names that are also ordinary words, months or places ("Will", "May", "Rose",
// "France", "Avril"): a name only with a surname or a title beside it.
bool is_ambiguous_first_name(std::string_view word);
// Capitalised words that start sentences, salutations or headings and are not names.
bool is_name_stopword(std::string_view word);

}  // namespace tq::guard
