//! Thomas-test interpretation against published norms.
