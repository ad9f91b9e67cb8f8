// The independent check: the official OpenAI Node SDK (npm `openai`, pinned in
// tests/js/package.json), unchanged but for its base URL, against this gateway — chat with
// and without streaming, embeddings (base64 by default), models.list, a JSON-schema answer
// validated by ajv, and 401/400/404/429 surfacing as the SDK's error classes. Skips when
// node or tests/js/node_modules is missing; REQUIRE_NODE=1 turns the skip into a failure.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "server_fixture.h"

namespace tq {
namespace {

namespace fs = std::filesystem;
const fs::path kJsDir = fs::path(TQ_SOURCE_DIR) / "tests" / "js";

std::string missing_node_reason() {
  if (std::system("node --version > /dev/null 2>&1") != 0) return "node is not on PATH";
  if (!fs::exists(kJsDir / "node_modules" / "openai"))
    return (kJsDir / "node_modules" / "openai").string() + " is missing (run `npm ci` in tests/js)";
  return "";
}

TEST(OpenAISdk, OfficialNodeClientWorksUnchanged) {
  const std::string why = missing_node_reason();
  if (!why.empty()) {
    const char* env = std::getenv("REQUIRE_NODE");
    if (env != nullptr && std::string(env) == "1") FAIL() << why << " (REQUIRE_NODE=1)";
    GTEST_SKIP() << "official client unavailable: " << why;
  }
  TQ_REQUIRE_GATEWAY_MODELS();
  test::RunningGateway gw("gw_openai_sdk");
  const std::string cmd =
      "node '" + (kJsDir / "openai_sdk.test.mjs").string() + "' '" + gw.base_url() + "/v1' 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
  std::printf("%s", out.c_str());
}

}  // namespace
}  // namespace tq
