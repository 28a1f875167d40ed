"""Group many dialogues' answers into themes: lexicon, sentences, clustering, quotes."""
