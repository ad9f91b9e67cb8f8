#include "server/openai_format.h"

#include <cstring>

namespace tq {

using nlohmann::json;

json error_body(int status, const std::string& message, const std::string& param,
                const std::string& code) {
  std::string type = "invalid_request_error";
  if (status == 401) type = "authentication_error";
  if (status == 403) type = "permission_error";
  if (status == 429) type = "rate_limit_error";
  if (status >= 500) type = "server_error";
  json e = {{"message", message},
            {"type", type},
            {"param", param.empty() ? json(nullptr) : json(param)},
            {"code", code.empty() ? json(nullptr) : json(code)}};
  return json{{"error", e}};
}

json usage_json(const Usage& usage) {
  return json{{"prompt_tokens", usage.prompt_tokens},
              {"completion_tokens", usage.completion_tokens},
              {"total_tokens", usage.prompt_tokens + usage.completion_tokens}};
}

json completion_body(const ResponseIdentity& who, const ChatResult& result) {
  json choice = {{"index", 0}, {"logprobs", nullptr}, {"finish_reason", result.finish_reason}};
  if (who.chat) {
    choice["message"] = {{"role", "assistant"}, {"content", result.text}, {"refusal", nullptr}};
    if (result.tool_calls.is_array() && !result.tool_calls.empty()) {
      choice["message"]["tool_calls"] = result.tool_calls;
      if (result.text.empty()) choice["message"]["content"] = nullptr;  // as OpenAI sends it
    }
  } else
    choice["text"] = result.text;
  json body = {{"id", who.id},
               {"object", who.chat ? "chat.completion" : "text_completion"},
               {"created", who.created},
               {"model", who.model},
               {"system_fingerprint", nullptr},
               {"choices", json::array({choice})},
               {"usage", usage_json(result.usage)}};
  if (result.mean_logprob) body["x_triptyque"] = {{"mean_logprob", *result.mean_logprob}};
  return body;
}

json chunk_body(const ResponseIdentity& who, const std::string& text,
                const std::string& finish_reason, bool first, bool include_usage) {
  json choice = {{"index", 0},
                 {"logprobs", nullptr},
                 {"finish_reason", finish_reason.empty() ? json(nullptr) : json(finish_reason)}};
  if (who.chat) {
    json delta = json::object();
    if (first) delta["role"] = "assistant";
    if (!text.empty() || first) delta["content"] = text;
    choice["delta"] = delta;
  } else {
    choice["text"] = text;
  }
  json body = {{"id", who.id},
               {"object", who.chat ? "chat.completion.chunk" : "text_completion"},
               {"created", who.created},
               {"model", who.model},
               {"system_fingerprint", nullptr},
               {"choices", json::array({choice})}};
  if (include_usage) body["usage"] = nullptr;
  return body;
}

json tool_calls_chunk_body(const ResponseIdentity& who, const nlohmann::json& tool_calls,
                           bool include_usage) {
  json calls = json::array();
  for (size_t i = 0; i < tool_calls.size(); ++i) {
    json c = tool_calls[i];
    c["index"] = i;
    calls.push_back(std::move(c));
  }
  json body = {{"id", who.id},
               {"object", "chat.completion.chunk"},
               {"created", who.created},
               {"model", who.model},
               {"system_fingerprint", nullptr},
               {"choices", json::array({{{"index", 0},
                                         {"logprobs", nullptr},
                                         {"finish_reason", nullptr},
                                         {"delta", {{"tool_calls", calls}}}}})}};
  if (include_usage) body["usage"] = nullptr;
  return body;
}

json usage_chunk_body(const ResponseIdentity& who, const Usage& usage, double cost_eur,
                      const json& extra) {
  json x = extra.is_object() ? extra : json::object();
  x["cost_eur"] = cost_eur;
  return json{{"id", who.id},
              {"object", who.chat ? "chat.completion.chunk" : "text_completion"},
              {"created", who.created},
              {"model", who.model},
              {"system_fingerprint", nullptr},
              {"choices", json::array()},
              {"usage", usage_json(usage)},
              {"x_triptyque", x}};
}

std::string base64_encode(const unsigned char* data, size_t size) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < size; i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i + 1 == size) {
    const uint32_t v = uint32_t{data[i]} << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == size) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

json embeddings_body(const std::string& model, const EmbeddingResult& result, bool base64) {
  json data = json::array();
  for (size_t i = 0; i < result.vectors.size(); ++i) {
    const auto& v = result.vectors[i];
    json item = {{"object", "embedding"}, {"index", i}};
    if (base64) {
      // Little-endian float32, which is what the SDKs decode (x86 and ARM are little-endian).
      std::vector<unsigned char> bytes(v.size() * sizeof(float));
      std::memcpy(bytes.data(), v.data(), bytes.size());
      item["embedding"] = base64_encode(bytes.data(), bytes.size());
    } else {
      item["embedding"] = v;
    }
    data.push_back(std::move(item));
  }
  return json{{"object", "list"},
              {"data", data},
              {"model", model},
              {"usage",
               {{"prompt_tokens", result.usage.prompt_tokens},
                {"total_tokens", result.usage.prompt_tokens}}}};
}

}  // namespace tq
