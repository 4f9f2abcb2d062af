//! Boilerplate lines shared by the text and HTML extractors.
