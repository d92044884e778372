"""methods/bayes"""
