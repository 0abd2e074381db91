//! Built-in checks of answers (§4, §9 of the contract), input normalisation and the
//! locale-aware reading and display of numbers and dates.
