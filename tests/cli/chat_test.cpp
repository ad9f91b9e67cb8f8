// triptyque chat as a script drives it: one line per turn on stdin, --json out. The
// history is carried (the second turn's prompt holds the first exchange and reuses its
// cached prefix), /reset forgets it, and greedy answers equal what `generate` produces for
// the same rendered prompt.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq {
namespace {

using nlohmann::json;

std::vector<json> lines_of(const std::string& out) {
  std::vector<json> v;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) v.push_back(json::parse(line));
  return v;
}

TEST(CliChat, TurnsHistoryResetAndPrefixReuse) {
  const auto model = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(model);
  auto r = test::run({test::cli_path(), "chat", "-m", model.string(), "--temp", "0", "-n", "12",
                      "--json", "--system", "You tell stories."},
                     "Hello there\nTell me more\n/reset\nHello there\n/exit\nnever read\n");
  ASSERT_EQ(r.exit_code, cli::kExitOk) << r.err;
  const auto turns = lines_of(r.out);
  ASSERT_EQ(turns.size(), 3u) << r.out;
  EXPECT_EQ(turns[0]["reused_prompt_tokens"], 0);
  // Turn two re-renders turn one: its prompt is longer and starts with the cached one.
  EXPECT_GT(turns[1]["prompt_tokens"].get<int>(), turns[0]["prompt_tokens"].get<int>());
  EXPECT_GE(turns[1]["reused_prompt_tokens"].get<int>(), turns[0]["prompt_tokens"].get<int>());
  // After /reset the same first message gives the same prompt and, greedy, the same answer.
  EXPECT_EQ(turns[2]["prompt_tokens"], turns[0]["prompt_tokens"]);
  EXPECT_EQ(turns[2]["assistant"], turns[0]["assistant"]);
  for (const auto& t : turns) {
    EXPECT_EQ(t["generated_tokens"], 12);
    EXPECT_EQ(t["finish_reason"], "length");
  }
}

TEST(CliChat, UnknownTemplateNameIsAOneLineError) {
  const auto model = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(model);
  auto r =
      test::run({test::cli_path(), "chat", "-m", model.string(), "--template", "nonesuch"}, "Hi\n");
  EXPECT_EQ(r.exit_code, cli::kExitBadInput) << r.err;
  EXPECT_NE(r.err.find("nonesuch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chatml"), std::string::npos) << r.err;  // names the known ones
}

}  // namespace
}  // namespace tq
