package dev.sparkembed.udfs.model;

import java.io.Serializable;

/** The files a text-embedding model is made of. */
public record ModelFiles(FileRef model, FileRef tokenizer) implements Serializable {}
