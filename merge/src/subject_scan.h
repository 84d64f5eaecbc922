// Internal: pass 1 of the streaming merge only needs each line's subject_pith_number. This finds it
// with a structural walk of the top-level members (lines without whitespace: canonical ones), else
// with RapidJSON's SAX reader; no value is built either way, many times faster than json::Parse. It is a pre-filter, not a judge: a line it cannot read is parsed strictly at
// once, and a line it reads is still parsed strictly in pass 2, which reports any refusal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pith::merge_internal {

// The string value of the top-level "subject_pith_number" member, or nullopt when the text is not
// a JSON object that RapidJSON reads or has no such string member.
std::optional<std::string> ScanSubject(std::string_view line);

// The same value viewed inside `line`, found by the structural walk alone (no copy): nullopt when
// the walk cannot read the line (whitespace, escapes in the subject...), where ScanSubject may
// still find it. Whatever this finds, ScanSubject finds too.
std::optional<std::string_view> FindSubjectInPlace(std::string_view line);

}  // namespace pith::merge_internal
