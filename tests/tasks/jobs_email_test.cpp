// E-mail parsing and date resolution against dates worked out with a calendar:
// Tuesday 24 November 2026 is the reference; the next Monday is 30 November.
#include <gtest/gtest.h>

#include "tasks/jobs/email.h"

namespace tq::tasks {
namespace {

std::vector<std::string> isos(const std::vector<CivilDate>& v) {
  std::vector<std::string> out;
  for (const auto& d : v) out.push_back(d.iso());
  return out;
}

TEST(JobsEmail, CalendarArithmetic) {
  EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
  EXPECT_EQ(civil_from_days(days_from_civil({2028, 2, 29})), (CivilDate{2028, 2, 29}));
  EXPECT_EQ(weekday({2026, 11, 24}), 1);  // Tuesday
  EXPECT_EQ(weekday({2000, 1, 1}), 5);    // Saturday
}

TEST(JobsEmail, HeadersFoldedAndQuotedPrintableMultipart) {
  const std::string eml =
      "From: Claire Martin <claire@example.fr>\r\n"
      "To: service@boutique.fr\r\n"
      "Subject: Livraison de ma\r\n commande 458812\r\n"
      "Date: Tue, 24 Nov 2026 10:15:00 +0100\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
      "\r\n"
      "--b1\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "Pourriez-vous livrer le 3 d=C3=A9cembre plut=C3=B4t ? Sinon lundi prochain.=\r\n"
      " Merci\r\n"
      "--b1\r\n"
      "Content-Type: text/html\r\n"
      "\r\n"
      "<p>ignored</p>\r\n"
      "--b1--\r\n";
  const auto e = parse_email(eml);
  EXPECT_EQ(e.subject, "Livraison de ma commande 458812");
  EXPECT_EQ(e.from, "Claire Martin <claire@example.fr>");
  ASSERT_TRUE(e.date.has_value());
  EXPECT_EQ(e.date->iso(), "2026-11-24");
  EXPECT_NE(e.body.find("le 3 décembre plutôt ? Sinon lundi prochain. Merci"), std::string::npos)
      << e.body;
  EXPECT_EQ(e.body.find("ignored"), std::string::npos);
  EXPECT_EQ(isos(find_dates(e.body, e.date)),
            (std::vector<std::string>{"2026-11-30", "2026-12-03"}));
}

TEST(JobsEmail, Base64BodyAndPlainText) {
  const auto e = parse_email(
      "Subject: Hi\nContent-Transfer-Encoding: base64\n\nQ2FuIHlvdSBjYWxsIG1lIHRvbW9ycm93Pw==\n");
  EXPECT_EQ(e.body, "Can you call me tomorrow?");
  const auto plain = parse_email("Bonjour,\nje voudrais un rendez-vous.");
  EXPECT_TRUE(plain.subject.empty());
  EXPECT_EQ(plain.body, "Bonjour,\nje voudrais un rendez-vous.");
}

TEST(JobsEmail, ResolvesDatesRelativeToTheEmail) {
  const CivilDate ref{2026, 11, 24};
  EXPECT_EQ(isos(find_dates("Livraison demain ou après-demain ?", ref)),
            (std::vector<std::string>{"2026-11-25", "2026-11-26"}));
  EXPECT_EQ(isos(find_dates("Could we meet next Friday or on December 3rd?", ref)),
            (std::vector<std::string>{"2026-11-27", "2026-12-03"}));
  // Day first as in France; a day-month takes the year closest to the e-mail (early January
  // is next year's, a few days back is this year's); explicit years are kept.
  EXPECT_EQ(isos(find_dates("le 03/01, le 15/12/2026 ou le 2027-02-01", ref)),
            (std::vector<std::string>{"2026-12-15", "2027-01-03", "2027-02-01"}));
  EXPECT_EQ(isos(find_dates("le 1er mars 2027", std::nullopt)),
            (std::vector<std::string>{"2027-03-01"}));
  EXPECT_TRUE(find_dates("demain, le 3 décembre", std::nullopt).empty());  // no reference
  EXPECT_TRUE(find_dates("le 31/02/2026", ref).empty());                   // no such day
  EXPECT_EQ(
      isos(find_dates("commandé le 2 novembre, livré le 14 novembre ?", CivilDate{2026, 11, 9})),
      (std::vector<std::string>{"2026-11-02", "2026-11-14"}));
}

TEST(JobsEmail, EncodedWordsInHeaders) {
  const auto e = parse_email(
      "Subject: =?UTF-8?Q?Commande_ML-10482_toujours_pas_re=C3=A7ue?=\n"
      "From: =?iso-8859-1?B?Suly9G1l?= <j@example.fr>\n"
      "To: =?utf-8?q?Service_?= =?utf-8?q?client?= <sc@example.fr>\n\nBonjour");
  EXPECT_EQ(e.subject, "Commande ML-10482 toujours pas reçue");
  EXPECT_EQ(e.from, "Jérôme <j@example.fr>");
  EXPECT_EQ(e.to, "Service client <sc@example.fr>");  // the space between words is dropped
}

}  // namespace
}  // namespace tq::tasks
