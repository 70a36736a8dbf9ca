// logged_in_users: the login sessions utmp(5) records as open.
#pragma once

#include <string>
#include <vector>

#include "tables/value.h"

namespace zagent::tables {

// The table's rows from a utmp file (the table reads /var/run/utmp); none
// when the file is missing. For tests, which cannot write the host's utmp.
std::vector<Row> logged_in_users_from(const std::string& utmp_path);

}  // namespace zagent::tables
