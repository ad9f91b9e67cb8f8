// `triptyque run` as a user runs it: TRIPTYQUE_MODEL configures a local model without a
// configuration file (a gold model: plumbing and schema validity, not prose), tasks that
// need no model run without one, and those that do say how to add one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "support/gold.h"
#include "support/run.h"

namespace tq::tasks {
namespace {

const std::string kShop = std::string(TQ_SOURCE_DIR) + "/examples/shop";

test::RunResult cli(std::vector<std::string> args) {
  args.insert(args.begin(), test::cli_path());
  return test::run(args);
}

// Sets an environment variable for the children this test starts, and restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_.empty())
      unsetenv(name_);
    else
      setenv(name_, old_.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::string old_;
};

TEST(RunCli, WithoutAModelClusteringRunsAndGenerationSaysHowToAddOne) {
  ScopedEnv no_model("TRIPTYQUE_MODEL", "");
  auto r = cli({"run", "seo_clusters", "--json", "--text",
                "query,impressions\nlampe de chevet,100\nlampes de chevet,50\nampoule e27,10\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["output"]["queries"], 3);
  EXPECT_EQ(out["output"]["clusters"].size(), 2u) << r.out;  // the two lamp spellings together
  EXPECT_EQ(out["attempts"], 0);

  r = cli({"run", "email_summary", "--text", "Bonjour, rappelez-moi demain."});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // a configuration the user fixes
  EXPECT_NE(r.err.find("TRIPTYQUE_MODEL=/path/model.gguf"), std::string::npos) << r.err;
}

TEST(RunCli, TriptyqueModelRunsATaskOnTheLocalEngine) {
  const auto model = test::gold_dir() / "models" / "qwen2-gpt2-q8_0.gguf";
  TQ_REQUIRE_PATH(model);
  ScopedEnv env("TRIPTYQUE_MODEL", model.string());
  const auto r =
      cli({"run", "email_summary", "--json", "--text",
           "Date: Mon, 9 Nov 2026 09:14:32 +0100\nSubject: =?UTF-8?Q?Commande_re=C3=A7ue?="
           "\n\nPouvez-vous me rappeler le 14 novembre ?"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 512 training positions: the provider runs the model with more, and says so.
  EXPECT_NE(r.err.find("trained on 512 positions"), std::string::npos) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["provider"], "local");
  EXPECT_EQ(out["model"], "qwen2-gpt2-q8_0");
  EXPECT_EQ(out["output"]["subject"], "Commande reçue");
  EXPECT_EQ(out["output"]["dates_mentioned"], nlohmann::json({"2026-11-14"}));
  EXPECT_GT(out["usage"]["slm"]["completion_tokens"].get<int>(), 0);
}

}  // namespace
}  // namespace tq::tasks
