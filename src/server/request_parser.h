// OpenAI request bodies → typed requests. Pure functions over untrusted bytes (a libFuzzer
// target covers them): every failure is a ParseError naming the field path
// ("messages[2].content") the way OpenAI's `param` does, so a client sees what to fix.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "providers/provider.h"

namespace tq {

struct ParseError {
  std::string param;  // field path, "" for the body as a whole
  std::string message;
};

struct ParsedChatRequest {
  ChatRequest chat;  // chat.model is the id the client asked for (not yet resolved)
  bool stream = false;
  bool include_usage = false;            // stream_options.include_usage
  std::string response_format = "text";  // text | json_object | json_schema
  bool logprobs = false;
};

struct ParsedEmbeddingRequest {
  std::string model;
  std::vector<std::string> inputs;
  bool base64 = false;  // encoding_format
};

// Size limits a request may not exceed (beyond the HTTP body limit).
struct ParseLimits {
  int32_t max_tokens = 32768;
  size_t max_messages = 4096;
  size_t max_inputs = 2048;
};

// /v1/chat/completions.
std::variant<ParsedChatRequest, ParseError> parse_chat_request(std::string_view body,
                                                               const ParseLimits& limits = {});
// /v1/completions: the prompt lands in chat.prompt.
std::variant<ParsedChatRequest, ParseError> parse_completion_request(
    std::string_view body, const ParseLimits& limits = {});
// /v1/embeddings.
std::variant<ParsedEmbeddingRequest, ParseError> parse_embedding_request(
    std::string_view body, const ParseLimits& limits = {});

}  // namespace tq
