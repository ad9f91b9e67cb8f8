// The grounding rules of support_answer, kept apart so they are testable without a model:
// which retrieved passages count as relevant, what "I don't know" says in each language,
// and which of the model's citations name passages it was actually given.
#pragma once

#include <string>
#include <vector>

#include "tasks/jobs/context.h"

namespace tq::tasks {

// Passages scoring at least `floor` and (when `require_overlap`) sharing a content word
// with the question, in their retrieval order.
std::vector<Passage> relevant_passages(const std::string& question,
                                       const std::vector<Passage>& passages, double floor,
                                       bool require_overlap);

// The answer when the knowledge base holds nothing relevant ("fr" or "en").
std::string dont_know_answer(const std::string& language);

struct CitationCheck {
  std::vector<int> valid;     // 1-based passage numbers, in first-cited order, unique
  std::vector<int> invented;  // numbers outside 1..n_passages
};
CitationCheck verify_citations(const std::vector<int>& cited, int n_passages);

}  // namespace tq::tasks
