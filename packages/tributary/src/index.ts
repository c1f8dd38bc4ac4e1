// @tributary/tributary
export {};
