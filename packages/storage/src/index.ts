// @tributary/storage
export {};
