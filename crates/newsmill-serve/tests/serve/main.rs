//! Integration tests of `newsmill serve`: HTTP on loopback, and a real browser.

mod browser;
mod common;
mod http;
mod index;
mod limits;
mod said;
