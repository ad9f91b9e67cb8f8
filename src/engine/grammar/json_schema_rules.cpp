#include "engine/grammar/json_schema_rules.h"

#include <array>

namespace tq::json_rules {
namespace {

// Each rule with the fixed rules it mentions; see json_schema.h for why the bounds.
constexpr std::string_view kValueUses[] = {"object", "array", "string", "number"};
constexpr std::string_view kObjectUses[] = {"ws", "string", "value"};
constexpr std::string_view kArrayUses[] = {"ws", "value"};
constexpr std::string_view kStringUses[] = {"char"};
constexpr std::string_view kCharUses[] = {"hex"};
constexpr std::string_view kNumberUses[] = {"integer"};
constexpr std::string_view kDateUses[] = {"date-value"};
constexpr std::string_view kDateValueUses[] = {"day28", "day30", "day31"};
constexpr std::string_view kDay30Uses[] = {"day28"};
constexpr std::string_view kDay31Uses[] = {"day30"};
constexpr std::string_view kTimeValueUses[] = {"hour", "minute"};
constexpr std::string_view kTimeUses[] = {"time-value"};
constexpr std::string_view kDateTimeUses[] = {"date-value", "time-value"};
constexpr std::string_view kUuidUses[] = {"hex"};
constexpr std::string_view kEmailUses[] = {"email-atom", "email-label"};

const std::array kRules = {
    Rule{"ws", R"(( " " | "\n" [ \t]{0,16} )?)", {}},
    Rule{"value", R"(object | array | string | number | "true" | "false" | "null")", kValueUses},
    Rule{"object",
         R"("{" ws ( string ws ":" ws value ws ( "," ws string ws ":" ws value ws )* )? "}")",
         kObjectUses},
    Rule{"array", R"("[" ws ( value ws ( "," ws value ws )* )? "]")", kArrayUses},
    Rule{"string", R"("\"" char* "\"")", kStringUses},
    // Raw characters except '"', '\' and controls; escapes; \u without surrogates.
    Rule{"char",
         R"([^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | )"
         R"("u" ( [0-9a-cA-Ce-fE-F] hex{3} | [dD] [0-7] hex{2} ) ))",
         kCharUses},
    Rule{"hex", R"([0-9a-fA-F])", {}},
    Rule{"integer", R"("-"? ( "0" | [1-9] [0-9]{0,15} ))", {}},
    Rule{"number", R"(integer ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,2} )?)", kNumberUses},
    Rule{"boolean", R"("true" | "false")", {}},
    Rule{"null", R"("null")", {}},
    Rule{"date", R"("\"" date-value "\"")", kDateUses},
    // Days per month as ajv-formats checks them, except 29 February (leap years).
    Rule{"date-value",
         R"([0-9]{4} "-" ( ( "01" | "03" | "05" | "07" | "08" | "10" | "12" ) "-" day31 | )"
         R"(( "04" | "06" | "09" | "11" ) "-" day30 | "02" "-" day28 ))",
         kDateValueUses},
    Rule{"day28", R"("0" [1-9] | "1" [0-9] | "2" [0-8])", {}},
    Rule{"day30", R"(day28 | "29" | "30")", kDay30Uses},
    Rule{"day31", R"(day30 | "31")", kDay31Uses},
    Rule{"hour", R"([01] [0-9] | "2" [0-3])", {}},
    Rule{"minute", R"([0-5] [0-9])", {}},
    Rule{"time-value",
         R"(hour ":" minute ":" minute ( "." [0-9]{1,6} )? ( "Z" | [+-] hour ":" minute ))",
         kTimeValueUses},
    Rule{"time", R"("\"" time-value "\"")", kTimeUses},
    Rule{"date-time", R"("\"" date-value "T" time-value "\"")", kDateTimeUses},
    Rule{"uuid", R"("\"" hex{8} "-" hex{4} "-" hex{4} "-" hex{4} "-" hex{12} "\"")", kUuidUses},
    // Dot-atoms and host labels as ajv-formats' "email" accepts them, lengths bounded.
    Rule{"email-atom", R"([a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,32})", {}},
    Rule{"email-label", R"([a-zA-Z0-9] ( [a-zA-Z0-9-]{0,30} [a-zA-Z0-9] )?)", {}},
    Rule{"email",
         R"("\"" email-atom ( "." email-atom ){0,3} "@" email-label ( "." email-label ){1,3} "\"")",
         kEmailUses},
};

}  // namespace

const Rule* find(std::string_view name) {
  for (const Rule& r : kRules)
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace tq::json_rules
