// Plan validation: every kind of bad plan is rejected with a reason naming the step.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tasks/plan/plan.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

std::string all(const PlanCheck& c) {
  return testing::PrintToString(c.problems);
}

TEST(PlanValidate, AcceptsAndOrdersAValidPlan) {
  const json plan = json::parse(R"({"steps": [
    {"id": "reply", "task": "support_answer", "input": {"question": "${t.intent}"},
     "depends_on": ["t"]},
    {"id": "t", "task": "ticket_analysis", "input": {"ticket": "Où est ma commande 12345 ?"},
     "depends_on": []}]})");
  const auto c = validate_plan(plan, json::array());
  ASSERT_TRUE(c.problems.empty()) << all(c);
  ASSERT_EQ(c.steps.size(), 2u);
  EXPECT_EQ(c.steps[0].id, "t");  // dependencies first
  EXPECT_EQ(c.steps[1].depends_on, (std::vector<std::string>{"t"}));
}

TEST(PlanValidate, RejectsUnknownTasksAndSteps) {
  const json plan = json::parse(R"({"steps": [
    {"id": "a", "task": "write_poem", "input": {}, "depends_on": ["ghost"]}]})");
  const auto c = validate_plan(plan, json::array());
  EXPECT_NE(all(c).find("step a: unknown task \\\"write_poem\\\""), std::string::npos) << all(c);
  EXPECT_NE(all(c).find("step a: depends on unknown step \\\"ghost\\\""), std::string::npos)
      << all(c);
  EXPECT_TRUE(c.steps.empty());
}

TEST(PlanValidate, RejectsCycles) {
  const json plan = json::parse(R"({"steps": [
    {"id": "a", "task": "email_summary", "input": {"email": "x"}, "depends_on": ["c"]},
    {"id": "b", "task": "email_summary", "input": {"email": "x"}, "depends_on": ["a"]},
    {"id": "c", "task": "email_summary", "input": {"email": "x"}, "depends_on": ["b"]},
    {"id": "d", "task": "email_summary", "input": {"email": "x"}, "depends_on": ["d"]}]})");
  const auto c = validate_plan(plan, json::array());
  EXPECT_NE(all(c).find("cycle: a -> c -> b -> a"), std::string::npos) << all(c);
  EXPECT_NE(all(c).find("cycle: d -> d"), std::string::npos) << all(c);
}

TEST(PlanValidate, RejectsMissingAndBadInputs) {
  const json plan = json::parse(R"({"steps": [
    {"id": "a", "task": "support_answer", "input": {"k": 0}, "depends_on": []},
    {"id": "b", "task": "support_answer", "input": {"question": "${a.answer}"}, "depends_on": []},
    {"id": "c", "task": "support_answer", "input": {"question": "${a.nonesuch}"}, "depends_on": ["a"]},
    {"id": "a", "task": "email_summary", "input": {"email": "x"}, "depends_on": []}]})");
  const auto c = validate_plan(plan, json::array());
  const std::string s = all(c);
  EXPECT_NE(s.find("step a: duplicate id"), std::string::npos) << s;
  const json plan2 = json::parse(R"({"steps": [
    {"id": "a", "task": "support_answer", "input": {"k": 0}, "depends_on": []},
    {"id": "b", "task": "support_answer", "input": {"question": "${a.answer}"}, "depends_on": []},
    {"id": "c", "task": "support_answer", "input": {"question": "${a.nonesuch}"}, "depends_on": ["a"]}]})");
  const std::string s2 = all(validate_plan(plan2, json::array()));
  EXPECT_NE(s2.find("step a (support_answer): input/: missing required field \\\"question\\\""),
            std::string::npos)
      << s2;
  EXPECT_NE(s2.find("step a (support_answer): input/k: 0 is below the minimum 1"),
            std::string::npos)
      << s2;
  EXPECT_NE(s2.find("step b: input question uses step a, which is not in its depends_on"),
            std::string::npos)
      << s2;
  EXPECT_NE(s2.find("field \\\"nonesuch\\\" which task support_answer does not output"),
            std::string::npos)
      << s2;
}

TEST(PlanValidate, ForEachExpandsOverMatchingRecords) {
  const json records = json::parse(R"([
    {"sku": "A1", "collection": "Été", "description": ""},
    {"sku": "A2", "collection": "ete", "description": "déjà écrite"},
    {"sku": "A3", "collection": "Hiver"},
    {"sku": "A4", "collection": "ÉTÉ"}])");
  const json plan = json::parse(R"({"steps": [
    {"id": "desc", "task": "product_description", "input": {"language": "fr"},
     "for_each": {"source": "records", "as": "record", "where": {"collection": "été", "description": null}},
     "depends_on": []}]})");
  const auto c = validate_plan(plan, records);
  ASSERT_TRUE(c.problems.empty()) << all(c);
  ASSERT_EQ(c.steps.size(), 2u);
  EXPECT_EQ(c.steps[0].id, "desc[0]");
  EXPECT_EQ(c.steps[0].input["record"]["sku"], "A1");
  EXPECT_EQ(c.steps[1].input["record"]["sku"], "A4");
  EXPECT_EQ(c.steps[0].parallel_group, "for_each:desc");

  const json wrong_field = json::parse(R"({"steps": [
    {"id": "d", "task": "product_description", "input": {},
     "for_each": {"source": "records", "as": "product"}, "depends_on": []}]})");
  EXPECT_NE(all(validate_plan(wrong_field, records)).find("does not take"), std::string::npos);
  EXPECT_NE(all(validate_plan(plan, json())).find("no records list"), std::string::npos);
}

TEST(PlanValidate, NotAPlanAtAll) {
  EXPECT_FALSE(validate_plan(json::parse("[1,2]"), json::array()).problems.empty());
  EXPECT_FALSE(validate_plan(json::parse(R"({"steps": []})"), json::array()).problems.empty());
  EXPECT_FALSE(
      validate_plan(json::parse(R"({"steps": [{"id": 3}]})"), json::array()).problems.empty());
}

}  // namespace
}  // namespace tq::tasks
