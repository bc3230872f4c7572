"""The council layer: vocabulary, councils, speakers, figures, decisions, timelines and briefings."""
