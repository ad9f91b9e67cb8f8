// train-classifier and classify as a user runs them, on the example shop's tickets.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/gold.h"
#include "support/run.h"

namespace tq::tasks {
namespace {

const std::string kTickets = std::string(TQ_SOURCE_DIR) + "/examples/shop/tickets.csv";

test::RunResult cli(std::vector<std::string> args) {
  args.insert(args.begin(), test::cli_path());
  return test::run(args);
}

TEST(ClassifierCli, TrainThenClassifyTextAndTestFile) {
  const auto dir = test::scratch_dir("classifier_cli");
  const std::string model = (dir / "tickets.tqc").string();
  auto r = cli({"train-classifier", "--train", kTickets, "--out", model, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto train = nlohmann::json::parse(r.out);
  EXPECT_EQ(train["labels"], 6);  // livraison retour remboursement produit paiement compte
  EXPECT_GT(train["train_seconds"].get<double>(), 0.0);

  r = cli({"classify", "-m", model, "--text", "Mon colis n'est jamais arrivé, le suivi est bloqué",
           "--top", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\t')), "livraison") << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);

  r = cli({"classify", "-m", model, "--text", "carte bancaire refusée", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["predictions"][0]["label"], "paiement") << r.out;

  // The training file itself: every key of the documented JSON.
  r = cli({"classify", "-m", model, "--test", kTickets, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto eval = nlohmann::json::parse(r.out);
  EXPECT_TRUE(eval.contains("accuracy") && eval.contains("n") && eval.contains("per_item_us"));
  EXPECT_GE(eval["n"].get<int>(), 40);
  EXPECT_GE(eval["accuracy"].get<double>(), 0.9);  // training data: near memorised
}

TEST(ClassifierCli, MissingColumnAndCorruptModelAreClearErrors) {
  const auto dir = test::scratch_dir("classifier_cli_errors");
  const std::string csv = (dir / "b.csv").string();
  std::ofstream(csv) << "text,category\nhello,greet\n";
  auto r = cli({"train-classifier", "--train", csv, "--out", (dir / "m.tqc").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no column 'label' in the header (columns: text, category)"),
            std::string::npos)
      << r.err;

  const std::string junk = (dir / "junk.tqc").string();
  std::ofstream(junk) << "TQCLSFY";
  r = cli({"classify", "-m", junk, "--text", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("junk.tqc"), std::string::npos) << r.err;

  r = cli({"classify", "-m", junk});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--text"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tq::tasks
