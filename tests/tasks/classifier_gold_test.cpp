// The classifier against the public intent benchmarks in ../shared/data/intents, through
// the CLI as a user runs it. The bars are the fastText 0.9.2 anchors measured on this
// machine (data README): BANKING77 test 0.887, CLINC150 in-scope test 0.904.
// Under AddressSanitizer (~3x slower) the full runs are skipped and a subset run checks
// the same code path instead.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/gold.h"
#include "support/run.h"
#include "tasks/classifier/dataset.h"
#include "tasks/classifier/text_classifier.h"

#if defined(__SANITIZE_ADDRESS__)
#define TQ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TQ_ASAN 1
#endif
#endif

namespace tq::tasks {
namespace {

using nlohmann::json;

#ifndef TQ_ASAN
json run_json(const std::vector<std::string>& args) {
  std::vector<std::string> argv{test::cli_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = test::run(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

TEST(ClassifierGold, Banking77BeatsTheFastTextAnchor) {
  const auto dir = test::data_dir() / "intents" / "banking77";
  TQ_REQUIRE_PATH(dir / "train.csv");
  const auto model = (test::scratch_dir("gold_banking") / "banking.tqc").string();
  const json train = run_json({"train-classifier", "--train", (dir / "train.csv").string(),
                               "--label-col", "category", "--out", model, "--json"});
  EXPECT_EQ(train["examples"], 10003);
  EXPECT_EQ(train["labels"], 77);
  const json eval = run_json({"classify", "-m", model, "--test", (dir / "test.csv").string(),
                              "--label-col", "category", "--json"});
  EXPECT_EQ(eval["n"], 3080);
  EXPECT_GE(eval["accuracy"].get<double>(), 0.887);
  EXPECT_LT(eval["per_item_us"].get<double>(), 1000.0);  // sanity, not a benchmark
  std::printf("BANKING77: accuracy %.4f (anchor 0.887), trained in %.2f s, %.1f us/item\n",
              eval["accuracy"].get<double>(), train["train_seconds"].get<double>(),
              eval["per_item_us"].get<double>());
}

TEST(ClassifierGold, Clinc150InScopeBeatsTheFastTextAnchor) {
  const auto file = test::data_dir() / "intents" / "clinc150" / "data_full.json";
  TQ_REQUIRE_PATH(file);
  const auto model = (test::scratch_dir("gold_clinc") / "clinc.tqc").string();
  const json train = run_json({"train-classifier", "--train", file.string(), "--format", "clinc",
                               "--split", "train", "--out", model, "--json"});
  EXPECT_EQ(train["examples"], 15000);
  EXPECT_EQ(train["labels"], 150);
  const json eval =
      run_json({"classify", "-m", model, "--test", file.string(), "--split", "test", "--json"});
  EXPECT_EQ(eval["n"], 4500);  // in-scope test only: oos_test is another list
  EXPECT_GE(eval["accuracy"].get<double>(), 0.904);
  std::printf("CLINC150: accuracy %.4f (anchor 0.904), trained in %.2f s, %.1f us/item\n",
              eval["accuracy"].get<double>(), train["train_seconds"].get<double>(),
              eval["per_item_us"].get<double>());
}
#endif

// Every third BANKING77 training example, a few epochs: fast enough under sanitizers, and
// still far above chance (1/77) on the full test set.
TEST(ClassifierGold, Banking77SubsetTrainsUnderSanitizers) {
  const auto dir = test::data_dir() / "intents" / "banking77";
  TQ_REQUIRE_PATH(dir / "train.csv");
  DatasetOptions o;
  o.label_column = "category";
  const Dataset train = load_dataset((dir / "train.csv").string(), o);
  std::vector<LabeledText> subset;
  for (size_t i = 0; i < train.examples.size(); i += 3) subset.push_back(train.examples[i]);
  TrainOptions t;
  t.dim = 32;
  t.epochs = 5;
  const auto model = TextClassifier::train(subset, t);
  const Dataset test_set = load_dataset((dir / "test.csv").string(), o);
  const EvalResult r = model.evaluate(test_set.examples);
  EXPECT_EQ(r.n, 3080U);
  EXPECT_GE(r.accuracy, 0.6);
}

}  // namespace
}  // namespace tq::tasks
