//! Venue test servers and shared test fixtures.
