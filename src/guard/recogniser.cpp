#include "guard/recogniser.h"

#include "guard/text_util.h"

namespace tq::guard {

void emit(std::vector<Entity>& out, EntityType type, std::string_view text, size_t start,
          size_t end, double confidence) {
  out.push_back(Entity{type, start, end, std::string(text.substr(start, end - start)), confidence});
}

bool context_before(std::string_view text, size_t pos, size_t window,
                    std::initializer_list<std::string_view> words) {
  const size_t from = pos > window ? pos - window : 0;
  for (size_t i = from; i < pos; ++i)
    for (std::string_view w : words)
      if (text::lower(text[i]) == w[0] && text::matches_ci(text, i, w)) return true;
  return false;
}

}  // namespace tq::guard
