// Response bodies in OpenAI's shapes (chat.completion, chat.completion.chunk,
// text_completion, embeddings list, errors), so the official SDKs parse them unchanged.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace tq {

// {"error": {"message", "type", "param", "code"}}; the type follows from the status.
nlohmann::json error_body(int status, const std::string& message, const std::string& param = "",
                          const std::string& code = "");

struct ResponseIdentity {
  std::string id;       // chatcmpl-… / cmpl-…
  int64_t created = 0;  // Unix seconds
  std::string model;    // as the client asked
  bool chat = true;     // chat.completion vs text_completion
};

nlohmann::json usage_json(const Usage& usage);
nlohmann::json completion_body(const ResponseIdentity& who, const ChatResult& result);
// One streamed piece: text (a delta), or the final piece with a finish reason.
nlohmann::json chunk_body(const ResponseIdentity& who, const std::string& text,
                          const std::string& finish_reason, bool first, bool include_usage);
// The tool calls of a streamed answer, in one delta (each with its index).
nlohmann::json tool_calls_chunk_body(const ResponseIdentity& who, const nlohmann::json& tool_calls,
                                     bool include_usage);
// The last chunk of a stream (as stream_options.include_usage has it): no choices, the
// usage, and under x_triptyque our cost plus `extra` (what served, the cascade's reason).
nlohmann::json usage_chunk_body(const ResponseIdentity& who, const Usage& usage, double cost_eur,
                                const nlohmann::json& extra = nullptr);

nlohmann::json embeddings_body(const std::string& model, const EmbeddingResult& result,
                               bool base64);
// Standard base64 (RFC 4648, with padding) of raw bytes.
std::string base64_encode(const unsigned char* data, size_t size);

}  // namespace tq
