// The guard's wall around remote models, per request: a Provider that stands in for a
// remote one, sends it the conversation with every protected value replaced by its
// placeholder (<EMAIL_1>, <IBAN_1>…, computed once by Guard::protect for the whole
// conversation, so they are stable across its messages), and re-identifies the answer —
// chunk by chunk while streaming (a placeholder may be split across SSE events), then the
// full text and the arguments of tool calls. Local providers are never wrapped: they get
// the original text.
#pragma once

#include <string>
#include <vector>

#include "guard/pseudonymiser.h"
#include "providers/provider.h"

namespace tq {

// Where each protected text of a request sits, so the pseudonymised versions can be put
// back in place: message i's content, message i's tool_calls (JSON), or the prompt.
struct TextSlot {
  enum class Field { Content, ToolCalls, Prompt } field = Field::Content;
  size_t message = 0;
};

// The texts of `request` the guard must see, and their slots (same order).
std::vector<std::string> protected_texts(const ChatRequest& request, std::vector<TextSlot>& slots);

// `request` with the texts at `slots` replaced by `texts`; InputError when a pseudonymised
// tool_calls text no longer parses (never sent raw instead).
ChatRequest with_texts(const ChatRequest& request, const std::vector<TextSlot>& slots,
                       const std::vector<std::string>& texts);

class PseudonymisingProvider : public Provider {
 public:
  // `safe_request_texts`: Guard::protect's texts for the request's `slots`; `map` outlives
  // this object. Not shared across requests.
  PseudonymisingProvider(Provider& remote, std::vector<TextSlot> slots,
                         std::vector<std::string> safe_request_texts,
                         const guard::PseudonymMap& map)
      : remote_(remote),
        slots_(std::move(slots)),
        texts_(std::move(safe_request_texts)),
        map_(map) {}

  const std::string& name() const override { return remote_.name(); }
  bool is_local() const override { return remote_.is_local(); }
  ChatResult chat(const ChatRequest& request, const DeltaSink& on_delta) override;
  EmbeddingResult embed(const std::string& model, const std::vector<std::string>& inputs) override;
  std::vector<ModelInfo> models() const override { return remote_.models(); }
  std::optional<Price> price(const std::string& model) const override {
    return remote_.price(model);
  }

 private:
  Provider& remote_;
  std::vector<TextSlot> slots_;
  std::vector<std::string> texts_;
  const guard::PseudonymMap& map_;
};

}  // namespace tq
