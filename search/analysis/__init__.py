"""Analysis: how text becomes what the indexes hold and what a query looks for.

Owns the rules of a match and their numbers (`rules`), tokens and their codes and pair
words (`tokens`), the fold map of traditional and variant characters (`folds`), the search
documents and the words Pagefind indexes of them (`documents`), and the segmenter's words
that ranking and related items read (`segmentation`).

May import: nothing of `search` outside this folder.
"""
