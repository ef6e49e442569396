# notebooks
